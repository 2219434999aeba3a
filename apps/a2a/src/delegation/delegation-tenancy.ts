import { type A2a, type Actor, DEFAULT_TENANT, tenantOf } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { createHash } from 'node:crypto';

/** The longest `userId` a delegation record holds (A2a.DelegationRecord). */
const RECORD_USER_MAX = 128;

/**
 * Who a delegation record says runs it — the acting user within their tenant — written in the
 * record's `userId`, as the record has no field of its own for the tenant: the user id in the default
 * tenant (what records said before tenants, so those still read as the default tenant's), `tenant/user`
 * in any other. No user id holds a "/", so the two forms never meet; a pair too long for the field
 * keeps its tenant and a digest of the user id (it is only ever compared, never shown as a user).
 */
export function recordedUser(actor: Pick<Actor, 'userId' | 'tenantId'>): string {
  const tenant = tenantOf(actor);
  if (tenant === DEFAULT_TENANT) return actor.userId;
  const pair = `${tenant}/${actor.userId}`;
  if (pair.length <= RECORD_USER_MAX) return pair;
  return `${tenant}/sha256:${createHash('sha256').update(actor.userId).digest('hex').slice(0, 40)}`;
}

/** The tenant a delegation record belongs to (see recordedUser). */
export function recordTenant(record: Pick<A2a.DelegationRecord, 'userId'>): string {
  const slash = record.userId.indexOf('/');
  return slash < 0 ? DEFAULT_TENANT : record.userId.slice(0, slash);
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
