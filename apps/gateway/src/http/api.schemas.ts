import { Audit, safeText, Tasks, TenantId, Tools, UserId } from '@switchboard/contracts';
import { z } from 'zod';
import { csvOf } from './query-params.js';

/** GET /tools: the caller's manifest, optionally under constraints. */
export const ToolsQuery = z
  .object({
    mode: z
      .enum(['auto', 'custom'])
      .optional()
      .describe(
        '`auto`: every authorized provider; `custom`: only the listed providers/tools (default when a list is given).',
      ),
    providers: csvOf(Tools.ProviderName, { max: 100 })
      .optional()
      .describe('Comma-separated providers to allow.'),
    tools: csvOf(Tools.ToolName, { max: 500 })
      .optional()
      .describe('Comma-separated tool names to allow.'),
  })
  .strict();
export type ToolsQuery = z.infer<typeof ToolsQuery>;

/** `GET /tools`: the manifest under constraints, or (with `q`) a search of the caller's tools. */
export const ToolsListQuery = ToolsQuery.extend({
  q: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Search words: answers the best matches among the tools you may call (deferred ones included), best first, instead of the manifest (docs/tools.md).',
    ),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(Tools.MAX_SEARCH_LIMIT)
    .optional()
    .describe(`How many matches a search answers (default ${Tools.DEFAULT_SEARCH_LIMIT}).`),
}).strict();
export type ToolsListQuery = z.infer<typeof ToolsListQuery>;

export function constraintsOf(q: ToolsQuery): Tasks.ToolConstraints | undefined {
  if (!q.mode && !q.providers && !q.tools) return undefined;
  return {
    mode: q.mode ?? 'custom',
    ...(q.providers ? { providers: q.providers } : {}),
    ...(q.tools ? { tools: q.tools } : {}),
  };
}

/** GET /authorizations: whose authorizations (admins only for someone else's). */
export const AuthorizationsQuery = z
  .object({ user_id: UserId.optional().describe('Another user (admins only).') })
  .strict();

/** `GET /memory`: one namespace of long-term memory (docs/memory.md); the caller's own by default. */
export const MemoryQuery = z
  .object({
    kind: Tools.MemoryNamespaceKind.optional().describe(
      'The namespace kind (default `user`); `thread`, `agent` and `tenant` need `key`.',
    ),
    key: Tools.MemoryNamespace.shape.key
      .optional()
      .describe("The namespace key (default for `user`: the caller's user id)."),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(50)
      .describe('Most items (newest first).'),
  })
  .strict();
export type MemoryQuery = z.infer<typeof MemoryQuery>;

/** `PATCH /memory/{id}`: new content, new metadata (replacing the old as a whole), or both. */
export const MemoryUpdateBody = Tools.MemoryChange.refine(
  Tools.changesSomething,
  Tools.NO_CHANGE,
).describe('Content, metadata or both; what is left out stays as it is.');
export type MemoryUpdateBody = z.infer<typeof MemoryUpdateBody>;

/** GET /memory/search: what the caller may read, by meaning or by words (docs/memory.md). */
export const MemorySearchQuery = z
  .object({
    q: Tools.MemorySearch.request.shape.query.describe('What to look for.'),
    kind: Tools.MemoryNamespaceKind.optional().describe(
      'Only this namespace kind (with `key`); absent: everything the caller may read.',
    ),
    key: Tools.MemoryNamespace.shape.key.optional().describe('The namespace key, with `kind`.'),
    limit: z.coerce.number().int().min(1).max(50).default(10).describe('Most items, best first.'),
  })
  .strict();
export type MemorySearchQuery = z.infer<typeof MemorySearchQuery>;

/** An audited action name, as the audit records spell them (`task.submit`, `auth.refused`). */
const AuditAction = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_.-]*$/, 'must be a lowercase dotted action name such as task.submit');

/** GET /audit (admins only): filters and newest-first paging. */
export const AuditQueryParams = z
  .object({
    user_id: UserId.optional().describe('Only rows of this user.'),
    action: AuditAction.optional().describe('Only rows with this action, e.g. `task.submit`.'),
    category: Audit.AuditCategory.optional().describe('Only rows of this category.'),
    outcome: Audit.AuditOutcome.optional().describe(
      'Only rows with this outcome: `success`, `failure` or `denied`.',
    ),
    task_id: z.string().uuid().optional().describe('Only rows about this task.'),
    tenant_id: TenantId.optional().describe(
      "Only rows of this tenant (the platform operator; anyone else sees their own tenant's rows, and another tenant's id gives none).",
    ),
    from: z
      .string()
      .datetime()
      .optional()
      .describe('Rows at or after this time (ISO 8601, inclusive).'),
    to: z.string().datetime().optional().describe('Rows before this time (ISO 8601, exclusive).'),
    before: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .describe('Paging: rows older than this `seq` (the `nextBefore` of the previous page).'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .optional()
      .describe('Rows per page (default 50).'),
  })
  .strict();
export type AuditQueryParams = z.infer<typeof AuditQueryParams>;

/**
 * GET /audit/verify (admins only). A check covers a whole chain (the trail's, or one tenant's), never a
 * range, so anything but `tenant_id` is refused rather than silently ignored.
 */
export const AuditVerifyParams = z
  .object({
    tenant_id: TenantId.optional().describe(
      "Verify this tenant's chain (the platform operator, who otherwise verifies the whole trail). Anyone else always verifies their own tenant's, and another tenant's id is 404.",
    ),
  })
  .strict();
export type AuditVerifyParams = z.infer<typeof AuditVerifyParams>;

/** GET /ag-ui/events (the legacy AG-UI events format). */
export const AgUiEventsQuery = z
  .object({
    user_message: safeText(
      z.string().max(Tasks.TASK_TEXT_MAX, `must be at most ${Tasks.TASK_TEXT_MAX} characters`),
    )
      .refine((s) => s.trim().length > 0, 'must not be empty')
      .describe('What the user asks.'),
    thread_id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and . _ : - only')
      .optional()
      .describe('Conversation id: turns of one thread are fed back as history.'),
    thread_policy: Tasks.ThreadPolicy.optional().describe(
      'With thread_id: what this message does when the thread is busy with an earlier task (reject, enqueue, interrupt, rollback; docs/api.md, Threads).',
    ),
  })
  .strict()
  .refine((q) => q.thread_policy === undefined || q.thread_id !== undefined, {
    path: ['thread_policy'],
    message: 'needs thread_id',
  });
export type AgUiEventsQuery = z.infer<typeof AgUiEventsQuery>;

/** POST /tasks/{id}/cancel (the body is optional). */
export const CancelBody = z
  .object({
    reason: safeText(z.string().min(1).max(500))
      .optional()
      .describe('Why (kept with the task and shown in its cancelled event).'),
  })
  .strict();
export type CancelBody = z.infer<typeof CancelBody>;

/** `Last-Event-ID`: the seq of the last event the client has. */
export const LastEventId = z
  .string()
  .regex(/^\d{1,9}$/, 'must be the decimal seq of the last event received');
