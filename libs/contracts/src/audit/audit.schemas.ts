import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
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
  'webhook',
  'schedule',
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

/**
 * How a row's hash is computed (docs/tenancy.md, "Audit"): 1 for rows stored before tenants (the
 * record's fields only), 2 since (the record's fields and the row's place in its tenant's chain).
 */
export const AuditHashVersion = z.union([z.literal(1), z.literal(2)]);
export type AuditHashVersion = z.infer<typeof AuditHashVersion>;

/**
 * A stored audit row: the record plus its place in the two hash chains. `seq`/`prevHash` chain every
 * row of the trail; `tenantSeq`/`tenantPrevHash` chain the rows of its tenant (1, 2, 3… per tenant), so a
 * tenant's slice verifies on its own. `hash` covers both.
 */
export const AuditEntry = AuditRecord.extend({
  tenantId: TenantId,
  seq: z.number().int().positive(),
  prevHash: z.string(),
  tenantSeq: z.number().int().positive(),
  tenantPrevHash: z.string(),
  hashVersion: AuditHashVersion,
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
    /**
     * Only rows of this tenant. Honoured for the platform operator (who otherwise sees every tenant's);
     * anyone else sees only their own tenant's rows, and another tenant's id gives no rows.
     */
    tenantId: TenantId.optional(),
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
    /** Return rows with `seq` below this (newest first paging). */
    before: z.number().int().positive().optional(),
    limit: pageLimit(500, 50),
  })
  .strict();
export type AuditQueryRequest = z.infer<typeof AuditQueryRequest>;

export const AuditQueryResponse = z.object({
  entries: z.array(AuditEntry),
  /** Pass as `before` to get the next (older) page; absent on the last page. */
  nextBefore: z.number().int().positive().optional(),
});
export type AuditQueryResponse = z.infer<typeof AuditQueryResponse>;

export const AuditVerifyRequest = z
  .object({
    /**
     * Verify this tenant's slice. Honoured for the platform operator (who otherwise verifies the whole
     * trail); anyone else always verifies their own tenant's slice, and another tenant's id is NOT_FOUND.
     */
    tenantId: TenantId.optional(),
  })
  .strict();
export type AuditVerifyRequest = z.infer<typeof AuditVerifyRequest>;

export const AuditVerifyResponse = z.object({
  ok: z.boolean(),
  /**
   * What was checked. `all`: every row in `seq` order — the trail's chain, and each tenant's chain along
   * it. `tenant`: the rows of `tenantId` in `tenantSeq` order — that tenant's chain alone, which shows
   * that none of its rows was altered, reordered or removed (short of its newest ones: compare
   * `lastTenantSeq`/`lastHash` with an earlier answer).
   */
  scope: z.enum(['all', 'tenant']),
  /** The tenant whose slice was checked (scope `tenant`). */
  tenantId: TenantId.optional(),
  /** Rows that matched (all of them when `ok`; those before the first broken row otherwise). */
  checked: z.number().int().nonnegative(),
  /** `tenantSeq` of the first and the last row that matched (scope `tenant`, when any did). */
  firstTenantSeq: z.number().int().positive().optional(),
  lastTenantSeq: z.number().int().positive().optional(),
  /** Hash of the last row that matched: the head of what was proven intact. */
  lastHash: z.string().optional(),
  /** The first row that does not match (`seq`, and `tenantSeq` within its tenant). */
  firstBrokenSeq: z.number().int().positive().optional(),
  firstBrokenTenantSeq: z.number().int().positive().optional(),
  reason: z.string().optional(),
});
export type AuditVerifyResponse = z.infer<typeof AuditVerifyResponse>;

/** Most records one append carries (a relay sends more in several). */
export const MAX_AUDIT_APPEND_RECORDS = 500;

/** A W3C trace context's `traceparent` (version 00): where work relayed later was owed. */
export const Traceparent = z
  .string()
  .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent (version 00)');

/**
 * Records a service journaled in its own database (the orchestrator's JournalOutbox), relayed in a
 * batch after the commit that stored them. Each is chained once by its id, however often it is sent.
 */
export const AuditAppendRequest = z
  .object({
    records: z.array(AuditRecord).min(1).max(MAX_AUDIT_APPEND_RECORDS),
    /**
     * Each task's trace (task id → traceparent) for a batch that holds its records: the audit service
     * chains them in a span of that task's trace, so a task stays one trace however its records were
     * batched. Absent: the batch's own trace context (its headers) only.
     */
    traces: z
      .record(z.string().uuid(), Traceparent)
      .refine((t) => Object.keys(t).length <= MAX_AUDIT_APPEND_RECORDS, {
        message: `at most ${MAX_AUDIT_APPEND_RECORDS} traces`,
      })
      .optional(),
  })
  .strict();
export type AuditAppendRequest = z.infer<typeof AuditAppendRequest>;
export type AuditAppendRequestInput = z.input<typeof AuditAppendRequest>;

export const AuditAppendResponse = z.object({
  /** Records of the batch chained now; the others were in the trail already (sent before). */
  appended: z.number().int().nonnegative(),
});
export type AuditAppendResponse = z.infer<typeof AuditAppendResponse>;
