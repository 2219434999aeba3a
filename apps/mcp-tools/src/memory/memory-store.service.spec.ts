import { DomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { MemoryEmbedder } from './embeddings/memory-embedder.js';
import type { MemoryMeaningSearch } from './embeddings/memory-meaning-search.js';
import { MemoryStore } from './memory-store.service.js';
import type { MemoryRepository } from './memory.repository.js';

const ID = '6b1f7a52-4c4e-4b8e-9d8a-3c3f4e2a1b00';
const SHA = 'a'.repeat(64);

/** The store over a repository that deletes what it is asked to, and an audit trail that records. */
function setup(remaining = 0) {
  const asked: unknown[][] = [];
  const records: Record<string, unknown>[] = [];
  const items = {
    forgetNamespace: (...args: unknown[]) => {
      asked.push(args);
      return Promise.resolve({ ids: [ID], contentSha256: [SHA], remaining });
    },
  } as unknown as MemoryRepository;
  const audit = {
    record: (r: Record<string, unknown>) => {
      records.push(r);
      return Promise.resolve();
    },
  } as unknown as AuditTrail;
  const sut = new MemoryStore(items, audit, {} as MemoryEmbedder, {} as MemoryMeaningSearch);
  return { sut, asked, records };
}

const ann = { userId: 'ann', role: 'user', tenantId: 'acme' };
const alan = { userId: 'alan', role: 'admin', tenantId: 'acme' };

describe(`${MemoryStore.name}.forgetNamespace`, () => {
  it("forgets the caller's own namespace in their tenant, audited with counts and hashes only", async () => {
    const { sut, asked, records } = setup();
    const namespace = { kind: 'user' as const, key: 'ann' };
    expect(await sut.forgetNamespace(ann, namespace)).toEqual({
      namespace,
      deleted: 1,
      verified: true,
      ids: [ID],
    });
    expect(asked).toEqual([['acme', namespace, undefined]]);
    expect(records).toEqual([
      {
        category: 'tool',
        action: 'memory.forget-namespace',
        outcome: 'success',
        resource: 'memory/user:ann',
        details: { namespace: 'user:ann', deleted: 1, remaining: 0, contentSha256: [SHA] },
      },
    ]);
  });

  it("forgets only the caller's own items of a thread; an admin's forget takes all of it", async () => {
    const { sut, asked } = setup();
    const thread = { kind: 'thread' as const, key: 't-1' };
    await sut.forgetNamespace(ann, thread);
    await sut.forgetNamespace(alan, thread);
    expect(asked).toEqual([
      ['acme', thread, 'ann'],
      ['acme', thread, undefined],
    ]);
  });

  it("refuses what is not the caller's to forget, and audits the attempt as denied", async () => {
    const { sut, asked, records } = setup();
    const refused = sut.forgetNamespace(ann, { kind: 'tenant', key: 'handbook' });
    await expect(refused).rejects.toThrow(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(asked).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({
        action: 'memory.forget-namespace',
        outcome: 'denied',
        resource: 'memory/tenant:handbook',
      }),
    ]);
  });

  it('is not verified, and audited as a failure, when the read-back finds something left', async () => {
    const { sut, records } = setup(2);
    const out = await sut.forgetNamespace(alan, { kind: 'agent', key: 'helper' });
    expect(out.verified).toBe(false);
    expect(records[0]).toMatchObject({ outcome: 'failure', details: { remaining: 2 } });
  });
});
