import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Actor } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { PeriodicSweep } from '@switchboard/runtime';
import type { OrchestratorEnv } from '../../../config/orchestrator.env.js';
import { ExperimentRepository, type ExperimentRow } from '../experiment.repository.js';
import { ExperimentScorer } from '../experiment.scorer.js';

/** How many unscored experiments one sweep looks at (the oldest first). */
export const EXPERIMENT_SWEEP_LIMIT = 100;

/**
 * Scores experiments off the request path (docs/evaluations.md): every REPLAY_BATCH_SWEEP_MS (the
 * pace its batches advance at) each replica looks at the experiments not scored yet and scores each
 * whose batches ended, one at a time. Two replicas may score the same one; the first to store its
 * result wins and the other's is dropped (the repository stores it once). The experiments table is
 * the due list: a restart loses nothing.
 */
@Injectable()
export class ScoreExperimentsUseCase extends PeriodicSweep {
  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly scorer: ExperimentScorer,
    @Inject(APP_CONFIG) config: Pick<OrchestratorEnv, 'REPLAY_BATCH_SWEEP_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(
      config.REPLAY_BATCH_SWEEP_MS,
      logger,
      'experiment scoring sweep failed; next one retries',
    );
  }

  /** One pass over the unscored experiments (PeriodicJob: one pass at a time per replica). */
  async sweep(): Promise<void> {
    for (const row of await this.experiments.unscored(EXPERIMENT_SWEEP_LIMIT)) {
      if (this.stopped) return;
      await this.scoreOne(row);
    }
  }

  private async scoreOne(row: ExperimentRow): Promise<void> {
    try {
      const view = await this.scorer.score(row, scorerOf(row));
      if (view?.status === 'completed')
        this.logger.info({ experimentId: row.id, items: view.items.length }, 'experiment scored');
    } catch (e: unknown) {
      // one experiment's failure does not hold the others back; the next sweep retries it
      this.logger.warn({ err: e, experimentId: row.id }, 'experiment scoring failed');
    }
  }
}

/**
 * Who an experiment is scored as: its creator, with the role they started it with (stored with it),
 * in its tenant — so a sweep scores exactly the items their own read would, and the judge's calls count
 * against the tenant's budget as a read's did.
 */
export const scorerOf = (
  row: Pick<ExperimentRow, 'createdBy' | 'createdByRole' | 'tenantId'>,
): Actor => ({
  userId: row.createdBy,
  role: row.createdByRole,
  tenantId: row.tenantId,
});
