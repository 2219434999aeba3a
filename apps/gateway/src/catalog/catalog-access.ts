import { type Actor, isAdmin } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { refuseAudited } from '../auth/audited-refusal.js';

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
  refuseAudited(
    audit,
    { action: 'authorization.denied', resource, details: { what } },
    `only admins may ${what}`,
  );
}
