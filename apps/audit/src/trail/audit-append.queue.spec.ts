import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Audit } from '@switchboard/contracts';
import { AuditAppendQueue } from './audit-append.queue.js';
import type { AuditRepository } from './audit.repository.js';

const rec = (id: string) => ({ id }) as unknown as Audit.AuditRecord;

function setup(opts: { stored?: Set<string>; fail?: boolean } = {}) {
  const appends: string[][] = [];
  const stored = opts.stored ?? new Set<string>();
  const repository = {
    appendNew: async (records: Audit.AuditRecord[]) => {
      appends.push(records.map((r) => r.id));
      if (opts.fail) throw new Error('database down');
      const fresh = records.filter((r) => !stored.has(r.id) && !!stored.add(r.id));
      return fresh;
    },
  } as unknown as AuditRepository;
  const queue = new AuditAppendQueue(repository, {
    AUDIT_BATCH_LINGER_MS: 50,
    AUDIT_BATCH_SIZE: 4,
  });
  return { queue, appends };
}

describe(AuditAppendQueue.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('appends what arrives within the linger in one append, answering each caller its own new records', async () => {
    const { queue, appends } = setup({ stored: new Set(['old']) });
    const consumed = queue.append([rec('a'), rec('old')]);
    const relayed = queue.append([rec('b'), rec('a')]);
    await jest.advanceTimersByTimeAsync(50);
    expect(appends).toEqual([['a', 'old', 'b', 'a']]);
    expect((await consumed).map((r) => r.id)).toEqual(['a']);
    // `a` went to the first caller that sent it: announced once
    expect((await relayed).map((r) => r.id)).toEqual(['b']);
  });

  it('appends at once when a batch is full, one append after the other', async () => {
    const { queue, appends } = setup();
    const first = queue.append([rec('1'), rec('2'), rec('3'), rec('4')]);
    const second = queue.append([rec('5')]);
    await jest.advanceTimersByTimeAsync(0);
    expect(appends).toEqual([['1', '2', '3', '4']]);
    await jest.advanceTimersByTimeAsync(50);
    expect(appends).toEqual([['1', '2', '3', '4'], ['5']]);
    expect((await first).length + (await second).length).toBe(5);
  });

  it('fails every caller of an append that failed (the consumer is redelivered, the relay retries)', async () => {
    const { queue } = setup({ fail: true });
    const a = queue.append([rec('a')]);
    const b = queue.append([rec('b')]);
    const settled = Promise.allSettled([a, b]);
    await jest.advanceTimersByTimeAsync(50);
    expect((await settled).map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});
