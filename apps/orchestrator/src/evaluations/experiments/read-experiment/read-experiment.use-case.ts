import { Injectable } from '@nestjs/common';
import { type Actor, Evaluations, isAdmin, tenantOf } from '@switchboard/contracts';
import { experimentNotFound } from '../../evaluation-errors.js';
import { aggregateOf } from '../experiment-result.js';
import { ExperimentRepository, type ExperimentRow } from '../experiment.repository.js';
import { ExperimentScorer } from '../experiment.scorer.js';

export { expectedOf } from '../experiment.scorer.js';

/**
 * How long after its batches ended a read leaves an experiment's scoring to the sweep
 * (ScoreExperimentsUseCase) before scoring it itself: a fallback, should no replica's sweep have
 * stored it by then.
 */
export const EXPERIMENT_SCORING_GRACE_MS = 60_000;

/**
 * An experiment as it stands (docs/evaluations.md): running while either of its batches runs, and
 * while the sweep scores it after they ended; then the result the sweep stored. A read scores it
 * itself only when no result was stored EXPERIMENT_SCORING_GRACE_MS after the batches ended.
 */
@Injectable()
export class ReadExperimentUseCase {
  constructor(
    private readonly experiments: ExperimentRepository,
    private readonly scorer: ExperimentScorer,
  ) {}

  async execute(id: string, actor: Actor): Promise<Evaluations.ExperimentView> {
    const row = await this.experiments.get(tenantOf(actor), id);
    // as its replay batches: its creator's, or (admins) its tenant's
    if (!row || (row.createdBy !== actor.userId && !isAdmin(actor))) throw experimentNotFound(id);
    return this.viewOf(row, actor);
  }

  async viewOf(
    row: ExperimentRow,
    actor: Actor,
    dataset?: Evaluations.DatasetView,
  ): Promise<Evaluations.ExperimentView> {
    const stored = Evaluations.ExperimentView.safeParse(row.result);
    if (row.status === 'completed' && stored.success) return stored.data;
    const state = await this.scorer.state(row, actor, dataset);
    const running = {
      ...state.head,
      status: 'running' as const,
      items: [],
      candidate: aggregateOf([]),
    };
    if (!state.endedAt) return running;
    const overdue = Date.now() - state.endedAt.getTime() >= EXPERIMENT_SCORING_GRACE_MS;
    if (!overdue && !this.scorer.busyWith(row.id)) return running;
    return (await this.scorer.score(row, actor, state)) ?? running;
  }
}
