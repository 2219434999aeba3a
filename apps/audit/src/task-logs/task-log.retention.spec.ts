import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { folderName } from './task-log.layout.js';
import { TaskLogRetention } from './task-log.retention.js';
import type { TaskLogWriter } from './task-log.writer.js';

const HOUR = 3_600_000;
const on = { TASK_LOGS_ENABLED: true, TASK_LOG_RETENTION_DAYS: 7 };

function setup(config = on, writer = { root: '/nowhere' } as unknown as TaskLogWriter) {
  const warn = jest.fn();
  const logger = { warn, info: jest.fn() } as unknown as Logger;
  const sut = new TaskLogRetention(writer, config, logger);
  return { sut, warn };
}

describe(TaskLogRetention.name, () => {
  describe('its timer', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it.each([
      ['task logs are off', { TASK_LOGS_ENABLED: false, TASK_LOG_RETENTION_DAYS: 7 }],
      ['logs are kept forever (0 days)', { TASK_LOGS_ENABLED: true, TASK_LOG_RETENTION_DAYS: 0 }],
    ])('never sweeps when %s', async (_, config) => {
      const { sut } = setup(config);
      const sweep = jest.spyOn(sut, 'sweep').mockResolvedValue([]);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(3 * HOUR);
      expect(sweep).not.toHaveBeenCalled();
      await sut.onModuleDestroy();
    });

    it('sweeps at boot and every hour; a failed sweep is logged and the next one retries', async () => {
      const { sut, warn } = setup();
      const sweep = jest
        .spyOn(sut, 'sweep')
        .mockRejectedValueOnce(new Error('disk away'))
        .mockResolvedValue([]);
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(0);
      expect(sweep).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        { err: new Error('disk away') },
        'task log retention sweep failed',
      );
      await jest.advanceTimersByTimeAsync(HOUR - 1);
      expect(sweep).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(sweep).toHaveBeenCalledTimes(2);
      await sut.onModuleDestroy();
      await jest.advanceTimersByTimeAsync(3 * HOUR);
      expect(sweep).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledTimes(1);
    });
  });

  describe('at shutdown', () => {
    let dir: string;
    beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'sb-retention-'))));
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('waits for the folder being removed and removes no other: the rest is the next sweep’s', async () => {
      for (const id of ['aaaaaaaa', 'bbbbbbbb', 'cccccccc'])
        await mkdir(
          join(dir, folderName('2020-01-01T10:00:00.000Z', `${id}-5b4d-4e6f-8a9b-0c1d2e3f4a5b`)),
        );
      let release: () => void = () => undefined;
      let reached: () => void = () => undefined;
      const firstRemoval = new Promise<void>((r) => (reached = r));
      const removing: string[] = [];
      const writer = {
        root: dir,
        remove: (_taskId: string | undefined, folder: string) => {
          removing.push(folder);
          reached();
          return new Promise<void>((r) => (release = r));
        },
      } as unknown as TaskLogWriter;
      const { sut } = setup(on, writer);
      sut.onApplicationBootstrap(); // the boot sweep starts
      await firstRemoval;
      let down = false;
      const destroyed = sut.onModuleDestroy().then(() => (down = true));
      await new Promise<void>((r) => setImmediate(r));
      expect(down).toBe(false);
      release();
      await destroyed;
      expect(removing).toHaveLength(1);
    });
  });
});
