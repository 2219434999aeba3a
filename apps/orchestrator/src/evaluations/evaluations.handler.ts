import { Controller } from '@nestjs/common';
import { DomainError, Evaluations, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { DatasetRepository } from './datasets/dataset.repository.js';
import { RecordedTasks } from './datasets/recorded-tasks.js';
import { datasetNotFound } from './evaluation-errors.js';
import { ListExperimentsUseCase } from './experiments/list-experiments/list-experiments.use-case.js';
import { ReadExperimentUseCase } from './experiments/read-experiment/read-experiment.use-case.js';
import { StartExperimentUseCase } from './experiments/start-experiment/start-experiment.use-case.js';
import { ScoreRepository } from './scores/score.repository.js';

/**
 * The evaluations' NATS commands (docs/evaluations.md): datasets, scores, experiments (the writes
 * that are a use case's whole work: EvaluationsRelay). Everything reads and writes in the acting
 * user's tenant only. Thin: the use cases decide.
 */
@Controller()
export class EvaluationsHandler {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly scores: ScoreRepository,
    private readonly recorded: RecordedTasks,
    private readonly starting: StartExperimentUseCase,
    private readonly reading: ReadExperimentUseCase,
    private readonly listing: ListExperimentsUseCase,
  ) {}

  @HandleCommand(Evaluations.DatasetList)
  async list(_req: unknown, meta: MessageMeta) {
    return { datasets: await this.datasets.list(tenantOf(requireActor(meta.actor))) };
  }

  @HandleCommand(Evaluations.DatasetGet)
  async get(req: { dataset: string }, meta: MessageMeta): Promise<Evaluations.DatasetView> {
    const found = await this.datasets.get(tenantOf(requireActor(meta.actor)), req.dataset);
    if (!found) throw datasetNotFound(req.dataset);
    return found.view;
  }

  @HandleCommand(Evaluations.ScoreList)
  async scoresOf(req: { taskId: string }, meta: MessageMeta) {
    const actor = requireActor(meta.actor);
    if (!(await this.recorded.trace(req.taskId, actor)))
      throw new DomainError('NOT_FOUND', `task ${req.taskId} not found`);
    return { scores: await this.scores.ofTask(tenantOf(actor), req.taskId) };
  }

  @HandleCommand(Evaluations.ExperimentStart)
  start(req: Evaluations.ExperimentBody, meta: MessageMeta): Promise<Evaluations.ExperimentView> {
    return this.starting.execute(req, requireActor(meta.actor), meta.correlationId);
  }

  @HandleCommand(Evaluations.ExperimentGet)
  read(req: { experimentId: string }, meta: MessageMeta): Promise<Evaluations.ExperimentView> {
    return this.reading.execute(req.experimentId, requireActor(meta.actor));
  }

  @HandleCommand(Evaluations.ExperimentList)
  experiments(_req: unknown, meta: MessageMeta) {
    return this.listing.execute(requireActor(meta.actor));
  }
}
