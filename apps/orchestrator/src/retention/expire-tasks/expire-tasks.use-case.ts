import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { counter, declareMetrics, LOGGER, type Logger, Metrics } from '@switchboard/observability';
import { drainBatches, PeriodicSweep } from '@switchboard/runtime';
import type { Counter } from 'prom-client';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { TaskRetentionRepository } from '../task-retention.repository.js';

type Settings = Pick<
  OrchestratorEnv,
  'TASK_RETENTION_DAYS' | 'TASK_RETENTION_SWEEP_MS' | 'TASK_RETENTION_BATCH'
>;

const DAY_MS = 86_400_000;

/**
 * Keeps the task table to TASK_RETENTION_DAYS of ended tasks (docs/operations.md, "Retention"): every
 * TASK_RETENTION_SWEEP_MS, on every replica, it deletes the ended tasks past it in bounded batches
 * until none is left. A sweep that fails is logged and the next one retries: nothing is half-deleted,
 * each batch is one statement.
 */
@Injectable()
export class ExpireTasksUseCase extends PeriodicSweep {
  private readonly expired: Counter;

  constructor(
    private readonly tasks: TaskRetentionRepository,
    metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(
      config.TASK_RETENTION_SWEEP_MS,
      logger,
      'task retention sweep failed; the next one retries',
    );
    this.expired = declareMetrics(metrics.registry, {
      expired: counter(
        'sb_tasks_expired_total',
        'Ended tasks deleted by the retention sweep (TASK_RETENTION_DAYS), by this replica',
      ),
    }).expired;
  }

  override onApplicationBootstrap(): void {
    if (this.config.TASK_RETENTION_DAYS === 0) return; // kept forever
    super.onApplicationBootstrap();
  }

  /** Deletes every task that ended more than TASK_RETENTION_DAYS before `now`; how many. */
  override async sweep(now: Date = new Date()): Promise<number> {
    if (this.config.TASK_RETENTION_DAYS === 0) return 0;
    const cutoff = new Date(now.getTime() - this.config.TASK_RETENTION_DAYS * DAY_MS);
    const size = this.config.TASK_RETENTION_BATCH;
    let total = 0;
    // stopping mid-way (shutdown) leaves the rest to the next sweep
    await drainBatches(
      async () => {
        const deleted = await this.tasks.expireEndedBefore(cutoff, size);
        total += deleted;
        this.expired.inc(deleted);
        return deleted;
      },
      size,
      { stopped: () => this.stopped },
    );
    if (total)
      this.logger.info({ expired: total, cutoff: cutoff.toISOString() }, 'ended tasks expired');
    return total;
  }
}
