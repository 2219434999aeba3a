import { type A2a, type Actor, DEFAULT_TENANT, tenantOf } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';

/** The tenant a delegation record belongs to: records written before tenants are the default's. */
export function recordTenant(record: Pick<A2a.DelegationRecord, 'tenantId'>): string {
  return record.tenantId ?? DEFAULT_TENANT;
}

/**
 * What the actor asked of a delegation that turned out to be another tenant's, by what they named: a
 * delegation (`repeat`: a Delegate repeating it, a resume; `cancel`: its cancel) or a task
 * (`task-cancel`: the cancel of every delegation of a task).
 */
export type OtherTenantAttempt =
  | { operation: 'repeat' | 'cancel'; delegationId: string }
  | { operation: 'task-cancel'; taskId: string };

/**
 * Audits an attempt on another tenant's delegation, which was treated as one that does not exist. The
 * record is the actor's (their tenant's trail) and names only what they sent: never the other tenant,
 * its agent or its task. Cancels are heard outside any request, so the actor is named explicitly.
 */
export function auditOtherTenant(
  audit: AuditTrail,
  actor: Actor | undefined,
  attempt: OtherTenantAttempt,
): void {
  const named =
    attempt.operation === 'task-cancel'
      ? { taskId: attempt.taskId }
      : { delegationId: attempt.delegationId };
  void audit.record({
    category: 'delegation',
    action: 'a2a.delegate',
    outcome: 'denied',
    actor: actor ? { userId: actor.userId, role: actor.role } : {},
    tenantId: tenantOf(actor),
    resource: named.taskId ?? named.delegationId,
    details: { ...named, operation: attempt.operation, reason: 'other_tenant' },
  });
}
