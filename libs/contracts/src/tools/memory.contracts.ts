import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import type { CommandCaller } from '../define.js';
import { TenantId, UserId } from '../identity.schemas.js';
import { safeText, StorableJsonObject } from '../text.schemas.js';

/**
 * Long-term memory (docs/memory.md), owned by mcp-tools: items in a namespace of one tenant. `user`:
 * one user's (key = their user id); `thread`: one conversation's (key = thread id, read by the user
 * who wrote it); `agent`: what one agent keeps (key = agent name); `tenant`: the whole tenant's.
 */
export const MemoryNamespaceKind = z.enum(['user', 'thread', 'agent', 'tenant']);
export type MemoryNamespaceKind = z.infer<typeof MemoryNamespaceKind>;

export const MEMORY_CONTENT_MAX = 4_000;
export const MEMORY_QUERY_MAX = 1_000;
export const MEMORY_METADATA_MAX_BYTES = 4_096;

export const MemoryNamespace = z
  .object({
    kind: MemoryNamespaceKind,
    key: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_.:@-]+$/, 'may hold letters, digits and _ . : @ - only'),
  })
  .strict();
export type MemoryNamespace = z.infer<typeof MemoryNamespace>;

export const MemoryMetadata = z
  .record(z.string(), z.unknown())
  .refine((m) => JSON.stringify(m).length <= MEMORY_METADATA_MAX_BYTES, {
    message: `must be at most ${MEMORY_METADATA_MAX_BYTES} bytes as JSON`,
  });

export const MemoryItem = z.object({
  id: z.string().uuid(),
  namespace: MemoryNamespace,
  content: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  /** Who wrote it, and in which task (none: written outside a task). */
  writtenBy: z.object({ userId: UserId, taskId: z.string().nullable() }),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type MemoryItem = z.infer<typeof MemoryItem>;

/** An item found by a search, with how well it matched (higher is better; comparable within one search). */
export const RecalledMemory = MemoryItem.extend({
  /** Cosine similarity to the query (`meaning`), or full-text rank (`words`): per query, not comparable across. */
  score: z.number(),
  /** How it was found: by meaning (an embeddings endpoint is configured) or by its words. */
  matchedBy: z.enum(['meaning', 'words']).optional(),
});
export type RecalledMemory = z.infer<typeof RecalledMemory>;

/** The memory commands, sb.cmd.tools.memory.<action>: the gateway's HTTP API sends them. */
const memory = commandGroup('sb.cmd.tools.memory', { callers: ['gateway'] });

export const MemorySearch = memory.query('search', {
  callers: ['orchestrator', 'gateway'],
  request: z
    .object({
      query: z.string().min(1).max(MEMORY_QUERY_MAX),
      /** Absent: every namespace the caller may read (their own user namespace and the tenant's). */
      namespaces: z.array(MemoryNamespace).min(1).max(10).optional(),
      limit: pageLimit(50, 5),
      taskId: z.string().optional(),
    })
    .strict(),
  response: z.object({ items: z.array(RecalledMemory) }),
  description:
    "Searches the caller's readable memory (by meaning with an embeddings endpoint, else full-text search; docs/memory.md): the planner's recall.",
});

export const MemoryList = memory.query('list', {
  request: z
    .object({
      namespace: MemoryNamespace.optional(),
      limit: pageLimit(100, 50),
    })
    .strict(),
  response: z.object({ items: z.array(MemoryItem) }),
  description:
    "A namespace's newest items (default: the caller's own user namespace); others' only as the rights allow.",
});

export const MemoryDelete = memory.command('delete', {
  request: z.object({ id: z.string().uuid() }).strict(),
  response: z.object({ id: z.string().uuid(), deleted: z.boolean() }),
  idempotency: 'idempotent',
  description: 'Deletes one memory item the caller may write (its search entry goes with the row).',
});

/**
 * What an edit of one item sets: its content, its metadata, or both (docs/memory.md, "Editing").
 * Content a person types: no control characters but tab and newlines, nothing jsonb cannot hold.
 */
export const MemoryChange = z
  .object({
    content: safeText(z.string().min(1).max(MEMORY_CONTENT_MAX)).optional(),
    /** Replaces the item's metadata as a whole. */
    metadata: StorableJsonObject.pipe(MemoryMetadata).optional(),
  })
  .strict();
export type MemoryChange = z.infer<typeof MemoryChange>;

/** An edit that changes nothing is refused, naming the field a caller most likely forgot. */
export const changesSomething = (c: MemoryChange): boolean =>
  c.content !== undefined || c.metadata !== undefined;
export const NO_CHANGE = { message: 'give content, metadata or both', path: ['content'] };

export const MemoryUpdate = memory.command('update', {
  request: z
    .object({ id: z.string().uuid(), ...MemoryChange.shape })
    .strict()
    .refine(changesSomething, NO_CHANGE),
  response: MemoryItem,
  // New content is embedded before it is stored (MEMORY_EMBEDDINGS_TIMEOUT_MS, 3 s by default).
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description:
    'Edits one memory item the caller may write (content and/or metadata): its search entry and vector are replaced in the same statement, audited with content hashes before and after.',
});

/**
 * What a forget command is besides its reach and wait: the gateway and the platform's administrators
 * (`admin`) send it, and forgetting again deletes nothing more, so it is idempotent. Its request names whose memory (a user, a tenant, a namespace); its answer names it
 * again with how many items were deleted and whether reading back after the delete found none left.
 */
function forgetting<const Whose extends z.ZodRawShape>(whose: Whose) {
  return {
    callers: ['gateway', 'admin'] as const satisfies readonly CommandCaller[],
    request: z.object(whose).strict(),
    response: z.object({ ...whose, deleted: z.number().int().min(0), verified: z.boolean() }),
    idempotency: 'idempotent' as const,
  };
}

export const MemoryForgetUser = memory.command('forget-user', {
  // Deleted: the user's namespace and the thread items they wrote.
  ...forgetting({ userId: UserId }),
  timeoutMs: 30_000,
  description:
    "Forgets everything a user's memory holds in the caller's tenant (the user themself, or an admin), audited with counts and content hashes, and verified.",
});

export const MemoryForgetTenant = memory.command('forget-tenant', {
  // Deleted: every item of the tenant, in every namespace.
  ...forgetting({ tenantId: TenantId }),
  timeoutMs: 60_000,
  description:
    "Forgets all of a tenant's memory when the tenant is removed (the platform operator, or an admin of the tenant), audited with counts and content hashes, and verified.",
});

const namespaceForgetting = forgetting({ namespace: MemoryNamespace });

export const MemoryForgetNamespace = memory.command('forget-namespace', {
  ...namespaceForgetting,
  // Deleted: all of the namespace (its user, an admin), or the caller's own in a thread.
  response: namespaceForgetting.response.extend({
    /** The deleted items' ids, for the run records that recalled them (`Tasks.ForgetRecalled`). */
    ids: z.array(z.string().uuid()),
  }),
  timeoutMs: 30_000,
  description:
    "Forgets one namespace of the caller's tenant (its user, an admin of the tenant; a thread: the caller's own items in it), audited with counts and content hashes, and verified; answers the deleted ids.",
});
