import { jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { QuotaTask } from '@switchboard/runtime';
import { type SlotQuotas, TaskSlots } from './task-slots.js';

const TASK = { taskId: 't1', actor: { userId: 'ada', tenantId: 'acme' } };

function setup(opts: { down?: boolean } = {}) {
  const released: QuotaTask[] = [];
  const renewed: (QuotaTask & { leaseMs: number })[] = [];
  const quotas: SlotQuotas = {
    releaseTask: async (t) => {
      if (opts.down) throw new Error('connection is closed');
      released.push(t);
    },
    renewTask: async (t) => {
      if (opts.down) throw new Error('connection is closed');
      renewed.push(t);
      return true;
    },
  };
  const logger = { warn: jest.fn() };
  const sut = new TaskSlots(quotas, { QUOTA_TASK_LEASE_MS: 60_000 }, logger as unknown as Logger);
  return { sut, released, renewed, logger };
}

describe(TaskSlots.name, () => {
  it("frees the slot in the submitter's tenant, under their user, and never throws", async () => {
    const { sut, released } = setup();
    await sut.release(TASK);
    // A submission without a usable actor: its tenant is the default one (a user key of nobody).
    await sut.release({ taskId: 't2' });
    expect(released).toEqual([
      { tenantId: 'acme', userId: 'ada', taskId: 't1' },
      { tenantId: 'default', userId: '', taskId: 't2' },
    ]);
    const down = setup({ down: true });
    await expect(down.sut.release(TASK)).resolves.toBeUndefined();
    expect(down.logger.warn).toHaveBeenCalledTimes(1);
  });

  it('renews the lease at once for a resumed task and every half lease while it runs, until let go', async () => {
    jest.useFakeTimers();
    try {
      const fresh = setup();
      const stopFresh = fresh.sut.hold(TASK, false);
      expect(fresh.renewed).toEqual([]);
      stopFresh();

      const { sut, renewed } = setup();
      const letGo = sut.hold(TASK, true);
      await jest.advanceTimersByTimeAsync(0);
      expect(renewed).toEqual([{ tenantId: 'acme', userId: 'ada', taskId: 't1', leaseMs: 60_000 }]);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(renewed).toHaveLength(3);
      letGo();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(renewed).toHaveLength(3);

      const down = setup({ down: true });
      const stop = down.sut.hold(TASK, true);
      await jest.advanceTimersByTimeAsync(30_000); // a renewal lost to an outage is not an error
      stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
