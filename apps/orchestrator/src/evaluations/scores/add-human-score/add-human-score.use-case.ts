import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Evaluations, tenantOf } from '@switchboard/contracts';
import { RecordedTasks } from '../../datasets/recorded-tasks.js';
import { EndedFactsReader } from '../../datasets/dataset-rules/ended-facts.reader.js';
import { ScoreMetrics } from '../score.metrics.js';
import { ScoreRepository } from '../score.repository.js';

/** The version every human score carries: a person's judgement has no code revision. */
export const HUMAN_SCORER_VERSION = 'human@1';

/**
 * A person's score of a task they may read (docs/evaluations.md): source `human`, the person named.
 * Another's task (or another tenant's) is NOT_FOUND, as a missing one.
 */
@Injectable()
export class AddHumanScoreUseCase {
  constructor(
    private readonly scores: ScoreRepository,
    private readonly recorded: RecordedTasks,
    private readonly facts: EndedFactsReader,
    private readonly metrics: ScoreMetrics,
  ) {}

  async execute(
    req: Evaluations.HumanScoreBody & { taskId: string },
    actor: Actor,
  ): Promise<Evaluations.ScoreView> {
    const trace = await this.recorded.trace(req.taskId, actor);
    if (!trace) throw new DomainError('NOT_FOUND', `task ${req.taskId} not found`);
    const score = await this.scores.add(tenantOf(actor), {
      taskId: req.taskId,
      ...(req.step !== undefined ? { step: req.step } : {}),
      name: req.name,
      value: req.value,
      source: 'human',
      scorerVersion: HUMAN_SCORER_VERSION,
      ...(req.reason ? { reason: req.reason } : {}),
      userId: actor.userId,
    });
    this.metrics.observe([score], await this.facts.versionOf(req.taskId));
    return score;
  }
}
