import { type Actor, DomainError, isAdmin } from '@switchboard/contracts';

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
