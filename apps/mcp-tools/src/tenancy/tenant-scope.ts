import { type Actor, spansTenants, tenantOf } from '@switchboard/contracts';
import type { AuditEvent, AuditTrail } from '@switchboard/messaging';

/**
 * The rows `actor` may read, as a Prisma `where` fragment: its own tenant's, or — for the platform
 * operator — every tenant's (an empty fragment). Writes never use it: they go to `tenantOf(actor)`.
 */
export function readableBy(actor: Pick<Actor, 'role' | 'tenantId'>): { tenantId?: string } {
  return spansTenants(actor) ? {} : { tenantId: tenantOf(actor) };
}

/** Who owns a row: a user within a tenant (the same user id in two tenants is two owners). */
export interface TenantUser {
  tenantId: string;
  userId: string;
}

export const tenantUserOf = (actor: Pick<Actor, 'userId' | 'tenantId'>): TenantUser => ({
  tenantId: tenantOf(actor),
  userId: actor.userId,
});

/**
 * Audits a refusal of another tenant's thing. The caller was answered exactly as if it did not exist
 * (so ids cannot be probed across tenants); this record is where the attempt shows, in the caller's
 * tenant. It names only what the caller asked for, never the other tenant or what it holds. Outside a
 * request (a broadcast heard) `by` names the caller, whom the request context would otherwise give.
 */
export function auditOtherTenant(
  audit: AuditTrail,
  event: Pick<AuditEvent, 'category' | 'action' | 'resource' | 'taskId' | 'details'>,
  by?: { actor: Actor | undefined },
): void {
  void audit.record({
    ...event,
    ...(by
      ? {
          actor: by.actor ? { userId: by.actor.userId, role: by.actor.role } : {},
          tenantId: tenantOf(by.actor),
        }
      : {}),
    outcome: 'denied',
    details: { ...event.details, reason: 'other_tenant' },
  });
}
