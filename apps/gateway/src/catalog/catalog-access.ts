import { type Actor, DomainError, isAdmin } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';

/**
 * Admins only, for the catalog's settings (`resource`: approval-policies, authorizations): anyone
 * else is refused with FORBIDDEN saying what they may not do, and the refusal is audited.
 */
export function requireAdmin(
  audit: AuditTrail,
  actor: Actor,
  resource: string,
  what: string,
): void {
  if (isAdmin(actor)) return;
  void audit.record({
    category: 'auth',
    action: 'authorization.denied',
    outcome: 'denied',
    resource,
    details: { what },
  });
  throw new DomainError('FORBIDDEN', `only admins may ${what}`);
}
