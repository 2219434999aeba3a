import { type Actor, DomainError, isAdmin, tenantOf } from '@switchboard/contracts';
import type { AuditEvent, AuditTrail } from '@switchboard/messaging';

/** Changing a tenant's agents (a version, a label) is its admins' (the platform operator's too). */
export function requireAuthor(actor: Actor): void {
  if (!isAdmin(actor))
    throw new DomainError('FORBIDDEN', 'only an admin of the tenant may change its agents');
}

export const agentNotFound = (name: string) =>
  new DomainError('NOT_FOUND', `agent ${name} not found`);

export const versionNotFound = (name: string, version: number, field = 'version') =>
  new DomainError('NOT_FOUND', `${field}: agent ${name} has no version ${version}`, {
    details: { issues: [{ path: field, message: `agent ${name} has no version ${version}` }] },
  });

/** What an admin changed of the tenant's agents, as its audit record names it. */
export interface AgentChange {
  action: string;
  resource: string;
  details: AuditEvent['details'];
  /** The tenant the change was made in: the actor's unless said. */
  tenantId?: string;
}

/**
 * A change an admin made to the tenant's agents (an agent, a version, a label, the default): one
 * `admin` audit record, successful, naming who made it; `details` says what changed. Not awaited:
 * the trail is written after the fact.
 */
export function auditAgentChange(audit: AuditTrail, actor: Actor, change: AgentChange): void {
  void audit.record({
    category: 'admin',
    action: change.action,
    outcome: 'success',
    resource: change.resource,
    tenantId: change.tenantId ?? tenantOf(actor),
    actor: { userId: actor.userId, role: actor.role },
    details: change.details,
  });
}
