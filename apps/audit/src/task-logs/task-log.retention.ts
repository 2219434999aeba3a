import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { PeriodicSweep } from '@switchboard/runtime';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AuditEnv } from '../config/audit.env.js';
import { folderTime, isTenantDir } from './task-log.layout.js';
import { TaskLogWriter } from './task-log.writer.js';

const DAY = 86_400_000;
const SWEEP_EVERY_MS = 3_600_000;

/**
 * Deletes task folders older than TASK_LOG_RETENTION_DAYS (by the start time in their name), at boot
 * and every hour, the default tenant's (at the top of the log directory) and every other tenant's (in
 * its folder). 0 keeps everything. Safe with several audit replicas sharing the directory. A shutdown
 * waits for the folder being removed and leaves the rest to the next sweep.
 */
@Injectable()
export class TaskLogRetention extends PeriodicSweep {
  constructor(
    private readonly writer: TaskLogWriter,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AuditEnv, 'TASK_LOGS_ENABLED' | 'TASK_LOG_RETENTION_DAYS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(SWEEP_EVERY_MS, logger, 'task log retention sweep failed');
  }

  override onApplicationBootstrap(): void {
    if (!this.config.TASK_LOGS_ENABLED || this.config.TASK_LOG_RETENTION_DAYS === 0) return;
    super.onApplicationBootstrap();
    void this.job.runOnce(); // the first at boot, not an hour later
  }

  /** Removes expired task folders; returns their paths relative to the log directory. */
  override async sweep(now: number = Date.now()): Promise<string[]> {
    const days = this.config.TASK_LOG_RETENTION_DAYS;
    if (days === 0) return [];
    const removed: string[] = [];
    const entries = await this.list('');
    for (const name of entries) {
      if (folderTime(name) !== undefined) await this.expire(name, now, removed);
      else if (isTenantDir(name))
        for (const sub of await this.list(name)) await this.expire(join(name, sub), now, removed);
    }
    if (removed.length)
      this.logger.info({ removed: removed.length, days }, 'task logs past retention removed');
    return removed;
  }

  private list(dir: string): Promise<string[]> {
    return readdir(join(this.writer.root, dir)).catch(() => [] as string[]);
  }

  /**
   * Removes the task folder at `path` (relative) when it is one and past retention — unless the
   * module is being destroyed (shutdown): the rest is the next sweep's.
   */
  private async expire(path: string, now: number, removed: string[]): Promise<void> {
    const started = folderTime(basename(path));
    if (
      this.stopped ||
      started === undefined ||
      now - started <= this.config.TASK_LOG_RETENTION_DAYS * DAY
    )
      return;
    const meta = await readFile(join(this.writer.root, path, 'metadata.json'), 'utf8').catch(
      () => undefined,
    );
    let taskId: string | undefined;
    try {
      taskId = meta ? (JSON.parse(meta) as { taskId?: string }).taskId : undefined;
    } catch {
      taskId = undefined;
    }
    await this.writer.remove(taskId, path);
    removed.push(path);
  }
}
