import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  DatasetCreateRequest,
  DatasetItemInput,
  DatasetSummary,
  DatasetView,
  ExperimentRequest,
  ExperimentSummary,
  ExperimentView,
  HumanScoreRequest,
  ScoreView,
} from '../wire.js';

/**
 * Evaluations (docs/evaluations.md): datasets of recorded tasks, a task's scores, and experiments
 * that run a dataset against an agent version without calling a tool.
 */
export class EvaluationsApi {
  constructor(private readonly transport: Transport) {}

  /** Creates a dataset (with `rule`: it adds matching tasks as they end). Sent once. */
  createDataset(request: DatasetCreateRequest, options: CallOptions = {}): Promise<DatasetView> {
    return this.transport.json({ method: 'POST', path: 'datasets', body: request, ...options });
  }

  /** The tenant's datasets, by name, without their items. */
  datasets(options: CallOptions = {}): Promise<{ datasets: DatasetSummary[] }> {
    return this.transport.json({ method: 'GET', path: 'datasets', ...options });
  }

  /** One dataset with its items. */
  dataset(name: string, options: CallOptions = {}): Promise<DatasetView> {
    return this.transport.json({ method: 'GET', path: pathOf`datasets/${name}`, ...options });
  }

  /** Adds recorded tasks to a dataset (its next version). Harmless to repeat. */
  addItems(
    name: string,
    items: DatasetItemInput[],
    options: CallOptions = {},
  ): Promise<DatasetView> {
    return this.transport.json({
      method: 'POST',
      path: pathOf`datasets/${name}/items`,
      body: { items },
      repeatable: true,
      ...options,
    });
  }

  /** A task's scores (code, judge, human), oldest first. */
  scores(taskId: string, options: CallOptions = {}): Promise<{ scores: ScoreView[] }> {
    return this.transport.json({ method: 'GET', path: pathOf`tasks/${taskId}/scores`, ...options });
  }

  /** Records a human score of a task. Sent once. */
  score(taskId: string, score: HumanScoreRequest, options: CallOptions = {}): Promise<ScoreView> {
    return this.transport.json({
      method: 'POST',
      path: pathOf`tasks/${taskId}/scores`,
      body: score,
      ...options,
    });
  }

  /** Starts an experiment; read it with `experiment` until it is `completed`. Sent once. */
  startExperiment(request: ExperimentRequest, options: CallOptions = {}): Promise<ExperimentView> {
    return this.transport.json({ method: 'POST', path: 'experiments', body: request, ...options });
  }

  /** The caller's experiments (an admin's: the tenant's), newest first. */
  experiments(options: CallOptions = {}): Promise<{ experiments: ExperimentSummary[] }> {
    return this.transport.json({ method: 'GET', path: 'experiments', ...options });
  }

  /** An experiment: per item scores and divergences, aggregates, the comparison with its baseline. */
  experiment(experimentId: string, options: CallOptions = {}): Promise<ExperimentView> {
    return this.transport.json({
      method: 'GET',
      path: pathOf`experiments/${experimentId}`,
      ...options,
    });
  }
}
