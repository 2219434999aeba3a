import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from '@switchboard/observability';
import { PeriodicJob } from './periodic-job.js';

/**
 * A provider that sweeps every `everyMs` on every replica (a PeriodicJob), from the application's
 * bootstrap to its shutdown: a failed sweep is logged with `failure` and the next one retries. On
 * shutdown `stopped` turns true first (a sweep that drains batches stops after the current one), then
 * the sweep in progress is awaited.
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly job: PeriodicJob;
  protected stopped = false;

  protected constructor(everyMs: number, logger: Logger, failure: string) {
    this.job = new PeriodicJob(
      everyMs,
      () => this.sweep(),
      (e) => logger.warn({ err: e }, failure),
    );
  }

  /** One sweep (the timer's, or a test's). */
  abstract sweep(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.job.stop();
  }
}
