import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import { ForgetRecalledUseCase } from './forget-recalled.use-case.js';
import type { RecallMatch, RecallRecordsRepository } from './recall-records.repository.js';
import type { RecordedRecall } from './recalled-redaction.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const admin: Actor = { userId: 'ada', role: 'admin', tenantId: 'acme' };

const item = (id: string, kind: 'user' | 'tenant', key: string): RecordedRecall => ({
  id,
  namespace: { kind, key },
  content: 'x',
  metadata: {},
  writtenBy: { userId: key, taskId: null },
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:00:00.000Z',
  score: 1,
});

/** Records with `items` recorded in one round; what a forget empties is gone from `remaining`. */
function setup(items: RecordedRecall[], stuck: RecordedRecall[] = []) {
  const calls: { tenantId: string; match: RecallMatch; allowed: string[] }[] = [];
  const records = {
    forget: (tenantId: string, match: RecallMatch, forget: (i: RecordedRecall) => boolean) => {
      const allowed = items.filter(forget).map((i) => i.id);
      calls.push({ tenantId, match, allowed });
      return Promise.resolve({ rounds: allowed.length ? 1 : 0, forgotten: allowed.length });
    },
    remaining: () => Promise.resolve(stuck),
  } as unknown as RecallRecordsRepository;
  return { sut: new ForgetRecalledUseCase(records), calls };
}

describe(ForgetRecalledUseCase.name, () => {
  const mine = item('00000000-0000-4000-8000-000000000001', 'user', 'ann');
  const shared = item('00000000-0000-4000-8000-000000000002', 'tenant', 'acme');

  it("forgets a user for the user themself or an admin, in the caller's tenant", async () => {
    const { sut, calls } = setup([mine]);
    expect(await sut.execute({ userId: 'ann' }, ann)).toEqual({
      forgotten: 1,
      rounds: 1,
      verified: true,
    });
    await sut.execute({ userId: 'ann' }, admin);
    expect(calls.map((c) => [c.tenantId, c.match])).toEqual([
      ['acme', { userId: 'ann' }],
      ['acme', { userId: 'ann' }],
    ]);
    await expect(sut.execute({ userId: 'ann' }, { ...ann, userId: 'bob' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('by id, empties only what the caller could write: their own; anything for an admin', async () => {
    const ids = [mine.id, shared.id];
    const asAnn = setup([mine, shared]);
    expect(await asAnn.sut.execute({ ids }, ann)).toMatchObject({ forgotten: 1 });
    expect(asAnn.calls[0]?.allowed).toEqual([mine.id]);
    const asAdmin = setup([mine, shared]);
    expect(await asAdmin.sut.execute({ ids }, admin)).toMatchObject({ forgotten: 2 });
  });

  it("forgets a whole tenant's recorded recalls for the platform operator or that tenant's admin", async () => {
    const { sut, calls } = setup([mine, shared]);
    const operator: Actor = { userId: 'olga', role: 'platform-admin', tenantId: 'ops' };
    expect(await sut.execute({ tenantId: 'acme' }, operator)).toMatchObject({ forgotten: 2 });
    await sut.execute({ tenantId: 'acme' }, admin);
    expect(calls.map((c) => [c.tenantId, c.match])).toEqual([
      ['acme', { all: true }],
      ['acme', { all: true }],
    ]);
    for (const who of [ann, { ...admin, tenantId: 'globex' }])
      await expect(sut.execute({ tenantId: 'acme' }, who)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
  });

  it('is not verified while the read-back still finds what it forgets', async () => {
    const { sut } = setup([mine], [mine]);
    expect(await sut.execute({ userId: 'ann' }, ann)).toMatchObject({ verified: false });
  });
});
