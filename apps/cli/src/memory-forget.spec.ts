import { describe, expect, it } from '@jest/globals';
import { Tasks, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { MemoryForgetCommand } from './memory-args.js';
import { forgottenLine, memoryForget } from './memory-forget.js';

/** A bus that answers the two commands, recording what was asked and as whom. */
function bus(store: { deleted: number; verified: boolean }, runs: { verified: boolean }) {
  const sent: { subject: string; request: unknown; tenant?: string }[] = [];
  const fake = {
    request: (
      contract: { subject: string },
      request: unknown,
      opts: { actor: { tenantId?: string } },
    ) => {
      sent.push({ subject: contract.subject, request, tenant: opts.actor.tenantId });
      if (contract.subject === Tasks.ForgetRecalled.subject)
        return Promise.resolve({ forgotten: 3, rounds: 2, verified: runs.verified });
      const ids = ['6b1f7a52-4c4e-4b8e-9d8a-3c3f4e2a1b00'];
      return Promise.resolve({ ...store, ...(request as object), ids });
    },
  } as unknown as NatsBus;
  return { fake, sent };
}

const cmd = (
  name: MemoryForgetCommand['name'],
  forget: MemoryForgetCommand['forget'],
  json = false,
): MemoryForgetCommand => ({
  name,
  forget,
  actor: { userId: 'olga', role: 'platform-admin', tenantId: 'acme' },
  json,
  connection: {},
});

describe(memoryForget.name, () => {
  it('forgets in the store, then in the run records, and prints counts only', async () => {
    const { fake, sent } = bus({ deleted: 2, verified: true }, { verified: true });
    const lines: string[] = [];
    const ok = await memoryForget(fake, cmd('memory forget-user', { userId: 'bob' }), {
      line: (l) => lines.push(l),
    });
    expect(ok).toBe(true);
    expect(sent).toEqual([
      { subject: Tools.MemoryForgetUser.subject, request: { userId: 'bob' }, tenant: 'acme' },
      { subject: Tasks.ForgetRecalled.subject, request: { userId: 'bob' }, tenant: 'acme' },
    ]);
    expect(lines).toEqual([
      "forgot 2 memory items of user bob in tenant acme and emptied 3 recorded recalls in tasks' run records: verified, nothing of it is left",
    ]);
  });

  it('forgets a tenant, and is not verified when a read-back found something', async () => {
    const { fake, sent } = bus({ deleted: 1, verified: true }, { verified: false });
    const lines: string[] = [];
    const ok = await memoryForget(fake, cmd('memory forget-tenant', { tenantId: 'acme' }, true), {
      line: (l) => lines.push(l),
    });
    expect(ok).toBe(false);
    expect(sent.map((s) => s.request)).toEqual([{ tenantId: 'acme' }, { tenantId: 'acme' }]);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      whom: 'tenant acme',
      deleted: 1,
      recalls: 3,
      verified: false,
    });
    expect(forgottenLine({ whom: 'tenant acme', deleted: 1, recalls: 1, verified: false })).toMatch(
      /1 memory item of tenant acme .*1 recorded recall in .*NOT verified/,
    );
  });

  it('forgets a namespace in the tenant, then the recorded recalls of the items it deleted', async () => {
    const { fake, sent } = bus({ deleted: 1, verified: true }, { verified: true });
    const lines: string[] = [];
    const namespace = { kind: 'tenant' as const, key: 'handbook' };
    const ok = await memoryForget(fake, cmd('memory forget-namespace', { namespace }), {
      line: (l) => lines.push(l),
    });
    expect(ok).toBe(true);
    expect(sent).toEqual([
      { subject: Tools.MemoryForgetNamespace.subject, request: { namespace }, tenant: 'acme' },
      {
        subject: Tasks.ForgetRecalled.subject,
        request: { ids: ['6b1f7a52-4c4e-4b8e-9d8a-3c3f4e2a1b00'] },
        tenant: 'acme',
      },
    ]);
    expect(lines).toEqual([
      "forgot 1 memory item of namespace tenant:handbook in tenant acme and emptied 3 recorded recalls in tasks' run records: verified, nothing of it is left",
    ]);
  });
});
