import { z } from 'zod';
import { Role, TenantId } from '../identity.schemas.js';
import { safeText, StorableJsonObject } from '../text.schemas.js';

export const AuditCategory = z.enum([
  'auth',
  'request',
  'task',
  'tool',
  'delegation',
  'guardrail',
  'approval',
  'admin',
  'error',
]);
export type AuditCategory = z.infer<typeof AuditCategory>;

export const AuditOutcome = z.enum(['success', 'failure', 'denied']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/**
 * One audit record as produced by a service. `id` is chosen by the producer and is the idempotency key:
 * a redelivered record never becomes a second row. `details` must already be redacted.
 */
export const AuditRecord = z.object({
  id: z.string().uuid(),
  at: z.string().datetime(),
  category: AuditCategory,
  action: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z][a-z0-9_.-]*$/, 'must be a lowercase dotted action name'),
  outcome: AuditOutcome,
  source: z.string().min(1).max(64),
  actor: z
    .object({ userId: z.string().max(128).optional(), role: Role.optional() })
    .strict()
    .default({}),
  resource: safeText(z.string().max(500)).optional(),
  /** The tenant the record belongs to (absent: the default tenant). Tenant admins see their own. */
  tenantId: TenantId.optional(),
  taskId: z.string().uuid().optional(),
  traceId: z.string().max(64).optional(),
  correlationId: safeText(z.string().max(128)).optional(),
  // A record PostgreSQL cannot store would be retried forever: it is refused where it is produced.
  details: StorableJsonObject.default({}),
});
export type AuditRecord = z.infer<typeof AuditRecord>;
export type AuditRecordInput = z.input<typeof AuditRecord>;

/** A stored audit row: the record plus its place in the hash chain. */
export const AuditEntry = AuditRecord.extend({
  seq: z.number().int().positive(),
  prevHash: z.string(),
  hash: z.string(),
  recordedAt: z.string().datetime(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQueryRequest = z
  .object({
    userId: safeText(z.string().max(128)).optional(),
    action: safeText(z.string().max(100)).optional(),
    category: AuditCategory.optional(),
    outcome: AuditOutcome.optional(),
    taskId: z.string().uuid().optional(),
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
    /** Return rows with `seq` below this (newest first paging). */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();
export type AuditQueryRequest = z.infer<typeof AuditQueryRequest>;

export const AuditQueryResponse = z.object({
  entries: z.array(AuditEntry),
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  nextBefore: z.number().int().positive().optional(),
});
export type AuditQueryResponse = z.infer<typeof AuditQueryResponse>;

export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  checked: z.number().int().nonnegative(),
  firstBrokenSeq: z.number().int().positive().optional(),
  reason: z.string().optional(),
});
export type AuditVerifyResponse = z.infer<typeof AuditVerifyResponse>;
