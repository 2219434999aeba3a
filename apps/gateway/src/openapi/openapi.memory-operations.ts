import { Gateway, TenantId, Tools, UserId, Uuid } from '@switchboard/contracts';

import { MemoryQuery, MemorySearchQuery, MemoryUpdateBody } from '../http/api.schemas.js';

import { ok, requiredBody, serviceErrors } from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const MEMORY_ITEM_PARAMS = {
  id: { schema: Uuid, description: 'The memory item.' },
};

/** What forgetting a user or a tenant answers. */
const FORGOTTEN = 'How many items were deleted, and whether reading back found none left.';

/** Long-term memory (docs/memory.md): list, search, edit an item, and forget an item, a namespace, a user, a tenant. */
export const MEMORY_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'get',
    path: '/memory',
    summary: "A namespace of long-term memory (default: the caller's own)",
    query: MemoryQuery,
    responses: ok('Its newest items.', Tools.MemoryList.response),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'get',
    path: '/memory/search',
    summary: 'Search the memory the caller may read (by meaning with embeddings, else by words)',
    query: MemorySearchQuery,
    responses: ok('The best matches first.', Tools.MemorySearch.response),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'delete',
    path: '/memory/users/{userId}',
    summary: "Forget everything of a user's memory (the user, or an admin)",
    pathParams: { userId: { schema: UserId, description: 'The user to forget.' } },
    responses: ok(FORGOTTEN, Gateway.MemoryUserForgotten),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'delete',
    path: '/memory/tenants/{tenantId}',
    summary:
      "Forget all of a tenant's memory, when it is removed (the platform operator, or its admin)",
    pathParams: { tenantId: { schema: TenantId, description: 'The tenant being removed.' } },
    responses: ok(FORGOTTEN, Gateway.MemoryTenantForgotten),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'delete',
    path: '/memory/namespaces/{kind}/{key}',
    summary: 'Forget one namespace (its user, or an admin; a thread: your own items in it)',
    pathParams: {
      kind: { schema: Tools.MemoryNamespaceKind, description: 'The namespace kind.' },
      key: { schema: Tools.MemoryNamespace.shape.key, description: 'The namespace key.' },
    },
    responses: ok(
      "How many items were deleted, whether reading back found none left, and how many recorded recalls in tasks' run records were emptied.",
      Gateway.MemoryNamespaceForgotten,
    ),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'patch',
    path: '/memory/{id}',
    summary: "Edit one memory item's content and/or metadata",
    description:
      "The rights of writing its namespace: a user's own and their thread items by their user, the tenant's shared ones by its admins. New content is found by its words (and by its meaning, with an embeddings endpoint) from the answer on; the old text no longer is. Audited with the content's SHA-256 before and after. Tasks' run records keep what they recalled: a replay stays identical, a fork that recalls again sees the new text.",
    pathParams: MEMORY_ITEM_PARAMS,
    ...requiredBody(MemoryUpdateBody),
    responses: ok('The item as edited.', Tools.MemoryUpdate.response),
    errors: serviceErrors(400, 403, 404, 413, 415),
  },
  {
    method: 'delete',
    path: '/memory/{id}',
    summary: 'Forget one memory item',
    pathParams: MEMORY_ITEM_PARAMS,
    responses: ok(
      'Whether it was deleted (false: gone already, or not yours to see).',
      Gateway.MemoryItemForgotten,
    ),
    errors: serviceErrors(400, 403),
  },
];
