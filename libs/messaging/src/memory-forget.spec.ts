import { DomainError, Tasks, Tools } from '@switchboard/contracts';
import { forgetMemory } from './memory-forget.js';
import type { NatsBus } from './nats-bus.service.js';

const actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };

/** A bus answering the store's commands and ForgetRecalled, recording what was sent and as whom. */
function fakeBus(opts: { ids?: string[]; storeVerified?: boolean; runsVerified?: boolean } = {}) {
  const sent: { subject: string; request: unknown; actor: unknown }[] = [];
  const bus = {
    request: (contract: { subject: string }, request: unknown, o: { actor?: unknown }) => {
      sent.push({ subject: contract.subject, request, actor: o.actor });
      const verified = opts.storeVerified ?? true;
      switch (contract.subject) {
        case Tasks.ForgetRecalled.subject: {
          const n = (request as { ids?: string[] }).ids?.length ?? 5;
          return Promise.resolve({ forgotten: n, rounds: 1, verified: opts.runsVerified ?? true });
        }
        case Tools.MemoryDelete.subject:
          return Promise.resolve({ id: (request as { id: string }).id, deleted: true });
        case Tools.MemoryForgetNamespace.subject: {
          const ids = opts.ids ?? [];
          return Promise.resolve({ ...(request as object), deleted: ids.length, verified, ids });
        }
        default:
          return Promise.resolve({ ...(request as object), deleted: 2, verified });
      }
    },
  } as unknown as NatsBus;
  return { bus, sent };
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe(forgetMemory.name, () => {
  it('forgets a user in the store, then in the run records, as the caller', async () => {
    const { bus, sent } = fakeBus({ runsVerified: false });
    const sut = await forgetMemory(bus, { userId: 'bob' }, { actor });
    expect(sut).toEqual({ userId: 'bob', deleted: 2, verified: false, recalls: 5 });
    expect(sent).toEqual([
      { subject: Tools.MemoryForgetUser.subject, request: { userId: 'bob' }, actor },
      { subject: Tasks.ForgetRecalled.subject, request: { userId: 'bob' }, actor },
    ]);
  });

  it('forgets a tenant, and one item by id (the run records asked even when it was gone)', async () => {
    const { bus, sent } = fakeBus();
    expect(await forgetMemory(bus, { tenantId: 'acme' }, { actor })).toEqual({
      tenantId: 'acme',
      deleted: 2,
      verified: true,
      recalls: 5,
    });
    expect(await forgetMemory(bus, { id: uuid(1) }, { actor })).toEqual({
      id: uuid(1),
      deleted: true,
      recalls: 1,
    });
    expect(sent.map((s) => s.request)).toEqual([
      { tenantId: 'acme' },
      { tenantId: 'acme' },
      { id: uuid(1) },
      { ids: [uuid(1)] },
    ]);
  });

  it('forgets a namespace, then the run records of exactly the ids it deleted, a thousand at a time', async () => {
    const ids = Array.from({ length: 2_001 }, (_, i) => uuid(i));
    const { bus, sent } = fakeBus({ ids });
    const namespace = { kind: 'tenant' as const, key: 'handbook' };
    const sut = await forgetMemory(bus, { namespace }, { actor });
    expect(sut).toEqual({ namespace, deleted: 2_001, verified: true, recalls: 2_001 });
    expect(sent[0]).toEqual({
      subject: Tools.MemoryForgetNamespace.subject,
      request: { namespace },
      actor,
    });
    const batches = sent.slice(1).map((s) => (s.request as { ids: string[] }).ids);
    expect(batches.map((b) => b.length)).toEqual([1_000, 1_000, 1]);
    expect(batches.flat()).toEqual(ids);
  });

  it('asks nothing of the run records when the namespace was empty; unverified if the store was', async () => {
    const { bus, sent } = fakeBus({ ids: [], storeVerified: false });
    const namespace = { kind: 'user' as const, key: 'ann' };
    expect(await forgetMemory(bus, { namespace }, { actor })).toEqual({
      namespace,
      deleted: 0,
      verified: false,
      recalls: 0,
    });
    expect(sent).toHaveLength(1);
  });

  it('says which ids still need their run records forgotten when that step fails after the store deleted', async () => {
    const ids = [uuid(7)];
    const { bus } = fakeBus({ ids });
    const failing = {
      request: (c: { subject: string }, r: unknown, o: object) =>
        c.subject === Tasks.ForgetRecalled.subject
          ? Promise.reject(new DomainError('UPSTREAM_UNAVAILABLE', 'no orchestrator answered'))
          : bus.request(c as never, r as never, o),
    } as unknown as NatsBus;
    const namespace = { kind: 'user' as const, key: 'ann' };
    const e = await forgetMemory(failing, { namespace }, { actor }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringContaining('forget each again by id'),
      details: { ids },
    });
  });
});
