import { type Actor, DomainError, isAdmin } from '@switchboard/contracts';
import type { AuditEvent, AuditTrail } from '@switchboard/messaging';

/** What a refusal is recorded as: the action refused, on what, and (when given) its details. */
export interface Refusal {
  action: string;
  resource: string;
  details?: AuditEvent['details'];
}

/**
 * Refuses the caller with FORBIDDEN saying `message`, and records the refusal in the audit trail as
 * an auth denial. The record is not waited for: the answer does not depend on the trail being up.
 */
export function refuseAudited(audit: AuditTrail, refusal: Refusal, message: string): never {
  void audit.record({
    category: 'auth',
    action: refusal.action,
    outcome: 'denied',
    resource: refusal.resource,
    ...(refusal.details ? { details: refusal.details } : {}),
  });
  throw new DomainError('FORBIDDEN', message);
}

/**
 * Admins only (the catalog's settings, tenants' quotas): anyone else is refused with FORBIDDEN saying
 * what they may not do (`only admins may <what>`), recorded as an `authorization.denied` of `resource`.
 */
export function requireAdmin(
  audit: AuditTrail,
  actor: Actor,
  resource: string,
  what: string,
): void {
  if (isAdmin(actor)) return;
  refuseAudited(
    audit,
    { action: 'authorization.denied', resource, details: { what } },
    `only admins may ${what}`,
  );
}
