import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { TaskAccess } from './task-access.js';
import { parseOwner, type TaskOwner, type TaskOwners } from './task-owners.js';

/** The orchestrator does not know the task yet (queued): only the gateway's owner record answers. */
function accessWith(owner: TaskOwner | undefined): TaskAccess {
  const bus = {
    request: async () => {
      throw new DomainError('NOT_FOUND', 'task not found');
    },
  } as unknown as NatsBus;
  const owners = { ownerOf: async () => owner } as unknown as TaskOwners;
  return new TaskAccess(bus, owners);
}

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

describe('TaskAccess, a queued task known only to the gateway', () => {
  it("lets the owner and an admin of the owner's tenant in", async () => {
    const access = accessWith({ tenantId: 'acme', userId: 'ann' });
    expect(await access.ownedHere('t', ann)).toBe(true);
    expect(await access.ownedHere('t', { userId: 'boss', role: 'admin', tenantId: 'acme' })).toBe(
      true,
    );
    await expect(access.view('t', ann)).resolves.toBeUndefined();
  });

  it('finds nothing for the same user id or an admin in another tenant', async () => {
    const access = accessWith({ tenantId: 'acme', userId: 'ann' });
    expect(await access.ownedHere('t', { ...ann, tenantId: 'globex' })).toBe(false);
    expect(await access.ownedHere('t', { userId: 'boss', role: 'admin', tenantId: 'globex' })).toBe(
      false,
    );
    await expect(access.view('t', { ...ann, tenantId: 'globex' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('lets the platform operator in whatever the tenant', async () => {
    const access = accessWith({ tenantId: 'acme', userId: 'ann' });
    expect(await access.ownedHere('t', { userId: 'op', role: 'platform-admin' })).toBe(true);
  });
});

describe('parseOwner', () => {
  it('reads <tenant>/<user>, and a record from before tenants as the default tenant', () => {
    expect(parseOwner('acme/ann')).toEqual({ tenantId: 'acme', userId: 'ann' });
    expect(parseOwner('ann')).toEqual({ tenantId: 'default', userId: 'ann' });
    expect(parseOwner('acme/a/b')).toEqual({ tenantId: 'acme', userId: 'a/b' });
  });
});
