import { Gateway, TenantId, Tools, UserId, Uuid } from '@switchboard/contracts';

import { MemoryQuery, MemorySearchQuery, MemoryUpdateBody } from '../http/api.schemas.js';

import type { Operation } from './openapi.operation.js';

const MEMORY_ITEM_PARAMS = {
  id: { schema: Uuid, description: 'The memory item.' },
};

/** Long-term memory (docs/memory.md): list, search, edit an item, and forget an item, a namespace, a user, a tenant. */
export const MEMORY_OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/memory',
    tag: 'memory',
    summary: "A namespace of long-term memory (default: the caller's own)",
    query: MemoryQuery,
    responses: {
      200: { description: 'Its newest items.', schema: Tools.MemoryList.response },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'get',
    path: '/memory/search',
    tag: 'memory',
    summary: 'Search the memory the caller may read (by meaning with embeddings, else by words)',
    query: MemorySearchQuery,
    responses: {
      200: { description: 'The best matches first.', schema: Tools.MemorySearch.response },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'delete',
    path: '/memory/users/{userId}',
    tag: 'memory',
    summary: "Forget everything of a user's memory (the user, or an admin)",
    pathParams: { userId: { schema: UserId, description: 'The user to forget.' } },
    responses: {
      200: {
        description: 'How many items were deleted, and whether reading back found none left.',
        schema: Gateway.MemoryUserForgotten,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'delete',
    path: '/memory/tenants/{tenantId}',
    tag: 'memory',
    summary:
      "Forget all of a tenant's memory, when it is removed (the platform operator, or its admin)",
    pathParams: { tenantId: { schema: TenantId, description: 'The tenant being removed.' } },
    responses: {
      200: {
        description: 'How many items were deleted, and whether reading back found none left.',
        schema: Gateway.MemoryTenantForgotten,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'delete',
    path: '/memory/namespaces/{kind}/{key}',
    tag: 'memory',
    summary: 'Forget one namespace (its user, or an admin; a thread: your own items in it)',
    pathParams: {
      kind: { schema: Tools.MemoryNamespaceKind, description: 'The namespace kind.' },
      key: { schema: Tools.MemoryNamespace.shape.key, description: 'The namespace key.' },
    },
    responses: {
      200: {
        description:
          "How many items were deleted, whether reading back found none left, and how many recorded recalls in tasks' run records were emptied.",
        schema: Gateway.MemoryNamespaceForgotten,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
  {
    method: 'patch',
    path: '/memory/{id}',
    tag: 'memory',
    summary: "Edit one memory item's content and/or metadata",
    description:
      "The rights of writing its namespace: a user's own and their thread items by their user, the tenant's shared ones by its admins. New content is found by its words (and by its meaning, with an embeddings endpoint) from the answer on; the old text no longer is. Audited with the content's SHA-256 before and after. Tasks' run records keep what they recalled: a replay stays identical, a fork that recalls again sees the new text.",
    pathParams: MEMORY_ITEM_PARAMS,
    body: MemoryUpdateBody,
    bodyRequired: true,
    responses: { 200: { description: 'The item as edited.', schema: Tools.MemoryUpdate.response } },
    errors: [400, 401, 403, 404, 413, 415, 429, 503, 504],
  },
  {
    method: 'delete',
    path: '/memory/{id}',
    tag: 'memory',
    summary: 'Forget one memory item',
    pathParams: MEMORY_ITEM_PARAMS,
    responses: {
      200: {
        description: 'Whether it was deleted (false: gone already, or not yours to see).',
        schema: Gateway.MemoryItemForgotten,
      },
    },
    errors: [400, 401, 403, 429, 503, 504],
  },
];
