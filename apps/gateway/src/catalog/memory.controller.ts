import { DomainError, parseOrThrow, TenantId, Tools, UserId, Uuid } from '@switchboard/contracts';
import { forgetMemory } from '@switchboard/messaging';
import { MemoryQuery, MemorySearchQuery, MemoryUpdateBody } from '../http/api.schemas.js';
import { del, get, HttpRelay, patch, type PathParams } from '../http/http-relay.js';

const itemOf = (params: PathParams) => parseOrThrow(Uuid, params['id'], 'path parameter id');

/**
 * Long-term memory over HTTP (docs/memory.md): list a namespace's items, edit or delete one, forget a
 * namespace, a user or a tenant. mcp-tools owns the store and decides every right itself, the
 * orchestrator its run records; this edge only translates.
 */
export class MemoryController extends HttpRelay(
  'memory',
  get('', Tools.MemoryList, {
    query: MemoryQuery,
    request: ({ actor, query }) => {
      const kind = query.kind ?? 'user';
      const key = query.key ?? (kind === 'user' ? actor.userId : undefined);
      if (key === undefined)
        throw new DomainError('VALIDATION', `query parameter key is required for kind ${kind}`);
      return { namespace: { kind, key }, limit: query.limit };
    },
  }),
  // What the caller may read that matches `q`, best first: by meaning with embeddings, else by words.
  get('search', Tools.MemorySearch, {
    query: MemorySearchQuery,
    request: ({ query }) => {
      if ((query.kind === undefined) !== (query.key === undefined))
        throw new DomainError('VALIDATION', 'query parameters kind and key go together');
      const namespaces =
        query.kind && query.key ? [{ kind: query.kind, key: query.key }] : undefined;
      return { query: query.q, limit: query.limit, ...(namespaces ? { namespaces } : {}) };
    },
  }),
  // Edits one item's content and/or metadata (the rights of writing its namespace). Run records are
  // not rewritten: a recorded recall keeps what its task saw, so a replay stays identical.
  patch(':id', Tools.MemoryUpdate, {
    body: MemoryUpdateBody,
    request: ({ params, body }) => ({ id: itemOf(params), ...body }),
  }),
  // Forgetting is the store's command, then what tasks recalled of it: forgetMemory, as the CLI does.
  // Everything of one user in the caller's tenant: the user themself, or an admin (a request to be
  // forgotten).
  del('users/:userId', Tools.MemoryForgetUser, {
    via: forgetMemory,
    request: ({ params }) => ({
      userId: parseOrThrow(UserId, params['userId'], 'path parameter userId'),
    }),
  }),
  // All of a tenant's memory, when the tenant is removed: the platform operator, or the tenant's admin.
  del('tenants/:tenantId', Tools.MemoryForgetTenant, {
    via: forgetMemory,
    request: ({ params }) => ({
      tenantId: parseOrThrow(TenantId, params['tenantId'], 'path parameter tenantId'),
    }),
  }),
  // One namespace of the caller's tenant: its user, an admin; a thread: the caller's own items.
  del('namespaces/:kind/:key', Tools.MemoryForgetNamespace, {
    via: forgetMemory,
    request: ({ params }) => ({
      namespace: {
        kind: parseOrThrow(Tools.MemoryNamespaceKind, params['kind'], 'path parameter kind'),
        key: parseOrThrow(Tools.MemoryNamespace.shape.key, params['key'], 'path parameter key'),
      },
    }),
  }),
  // One item: from the store, then from the run records of tasks that recalled it.
  del(':id', Tools.MemoryDelete, {
    via: forgetMemory,
    request: ({ params }) => ({ id: itemOf(params) }),
  }),
) {}
