import { type Actor, DomainError, isAdmin, tenantOf, type Tools } from '@switchboard/contracts';

/**
 * Who may read and write which memory (docs/memory.md, "Rights"). Always within the caller's own
 * tenant: no identity — a tenant admin, the platform operator — reads another tenant's memory.
 *
 * - `user` namespace (key = a user id): its user reads and writes it; the tenant's admins read and
 *   delete it (a user's request to be forgotten), never write it.
 * - `thread` namespace (key = thread id): the items a user wrote in their thread are theirs alone to
 *   read and write (threads belong to their user); the tenant's admins read and delete them.
 * - `agent` and `tenant` namespaces: every user of the tenant reads them; only the tenant's admins
 *   write or delete (tenant-wide knowledge is curated, and a policy may hold each write for approval).
 */
export interface MemoryScope {
  tenantId: string;
  /** The user the caller is. */
  userId: string;
  admin: boolean;
}

export const scopeOf = (actor: Actor): MemoryScope => ({
  tenantId: tenantOf(actor),
  userId: actor.userId,
  admin: isAdmin(actor),
});

/** The owner an item written to `ns` gets (empty: the tenant's), after checking the caller may write there. */
export function ownerForWrite(scope: MemoryScope, ns: Tools.MemoryNamespace): string {
  switch (ns.kind) {
    case 'user':
      if (ns.key !== scope.userId)
        throw refused('write', ns, 'only its user writes a user namespace');
      return ns.key;
    case 'thread':
      return scope.userId;
    case 'agent':
    case 'tenant':
      if (!scope.admin) throw refused('write', ns, 'needs the admin role');
      return '';
  }
}

/** Whether the caller may read an item with this namespace and owner. */
export function mayRead(scope: MemoryScope, ns: Tools.MemoryNamespace, ownerId: string): boolean {
  if (ns.kind === 'agent' || ns.kind === 'tenant') return true;
  return ownerId === scope.userId || scope.admin;
}

/** Whether the caller may delete an item with this namespace and owner. */
export function mayDelete(scope: MemoryScope, ns: Tools.MemoryNamespace, ownerId: string): boolean {
  if (scope.admin) return true;
  return (ns.kind === 'user' || ns.kind === 'thread') && ownerId === scope.userId;
}

/**
 * Why the caller may not edit an item with this namespace and owner (undefined: they may). The rights
 * of writing there: user and thread items by their own user only (admins read and delete them, never
 * write them), the tenant-wide ones by the tenant's admins.
 */
export function editRefusal(
  scope: MemoryScope,
  ns: Tools.MemoryNamespace,
  ownerId: string,
): string | undefined {
  if (ns.kind === 'agent' || ns.kind === 'tenant')
    return scope.admin ? undefined : 'needs the admin role';
  return ownerId === scope.userId ? undefined : `only its own user edits a ${ns.kind} item`;
}

/**
 * Which of a namespace's items the caller forgets at once: all of it (a user their own namespace, an
 * admin any namespace of the tenant), only the caller's own items (a thread: threads belong to their
 * user, and another's items there are not theirs to delete), or refused (another's user namespace,
 * a shared one without the admin role). Undefined owner: every item of the namespace.
 */
export function forgettable(
  scope: MemoryScope,
  ns: Tools.MemoryNamespace,
): { ownerId: string | undefined } {
  if (scope.admin) return { ownerId: undefined };
  switch (ns.kind) {
    case 'user':
      if (ns.key !== scope.userId)
        throw refused('forget', ns, 'only its user (or an admin of the tenant) forgets it');
      return { ownerId: undefined };
    case 'thread':
      return { ownerId: scope.userId };
    case 'agent':
    case 'tenant':
      throw refused('forget', ns, 'needs the admin role');
  }
}

/** Refuses to read a namespace the caller may not read at all (a user namespace of someone else). */
export function checkReadable(scope: MemoryScope, ns: Tools.MemoryNamespace): void {
  if (ns.kind === 'user' && ns.key !== scope.userId && !scope.admin)
    throw refused('read', ns, 'only its user (or an admin of the tenant) reads a user namespace');
}

const refused = (what: string, ns: Tools.MemoryNamespace, why: string): DomainError =>
  new DomainError('FORBIDDEN', `you may not ${what} memory namespace ${ns.kind}:${ns.key}: ${why}`);
