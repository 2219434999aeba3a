import { jest } from '@jest/globals';
import { TenantDirectory } from '@switchboard/config';
import type { Logger } from '@switchboard/observability';
import type { PrismaService } from '../../prisma/prisma.service.js';
import { MemoryRetentionSweep } from './memory-retention.sweep.js';

const setup = (deletes: number[], days = 30) => {
  const executeRaw = jest.fn(async () => deletes.shift() ?? 0);
  const info = jest.fn();
  const sweep = new MemoryRetentionSweep(
    { $executeRaw: executeRaw } as unknown as PrismaService,
    { MEMORY_RETENTION_DAYS: days, MEMORY_RETENTION_SWEEP_MS: 1_000 },
    { info, warn: jest.fn() } as unknown as Logger,
    new TenantDirectory(),
  );
  return { sweep, executeRaw, info };
};

describe(MemoryRetentionSweep.name, () => {
  it('deletes in batches until a batch is not full, and logs the total', async () => {
    const { sweep, executeRaw, info } = setup([5_000, 5_000, 12]);
    await expect(sweep.sweep()).resolves.toBe(10_012);
    expect(executeRaw).toHaveBeenCalledTimes(3);
    expect(info).toHaveBeenCalledWith({ deleted: 10_012, days: 30, rules: 1 }, expect.any(String));
  });

  it('starts no timer when retention is off', () => {
    const spy = jest.spyOn(global, 'setInterval');
    setup([], 0).sweep.onModuleInit();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
