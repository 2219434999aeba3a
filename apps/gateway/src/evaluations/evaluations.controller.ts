import { Evaluations, parseOrThrow } from '@switchboard/contracts';
import { z } from 'zod';
import { labelledBody } from '../agent-configs/agent-config-http.schemas.js';
import { get, HttpRelay, type PathParams, post, put } from '../http/http-relay.js';
import { taskOf } from '../http/task-id.param.js';

/** The body of `POST /datasets/{name}/items`. */
export const DatasetItemsBody = z
  .object({ items: z.array(Evaluations.DatasetItemInput).min(1).max(200) })
  .strict();

const datasetOf = (params: PathParams) =>
  parseOrThrow(Evaluations.DatasetName, params['name'], 'dataset name');

/**
 * Evaluations over HTTP (docs/evaluations.md): datasets of recorded tasks, human scores, experiments.
 * The orchestrator owns them and checks every call; this carries it.
 */
export class EvaluationsController extends HttpRelay(
  '',
  post('datasets', Evaluations.DatasetCreate, {
    body: Evaluations.DatasetCreateBody,
    status: 201,
  }),
  get('datasets', Evaluations.DatasetList),
  get('datasets/:name', Evaluations.DatasetGet, {
    request: ({ params }) => ({ dataset: datasetOf(params) }),
  }),
  post('datasets/:name/items', Evaluations.DatasetItemsAdd, {
    body: DatasetItemsBody,
    request: ({ params, body }) => ({ dataset: datasetOf(params), items: body.items }),
  }),
  post('tasks/:id/scores', Evaluations.ScoreAdd, {
    body: Evaluations.HumanScoreBody,
    status: 201,
    request: ({ params, body }) => ({ ...body, taskId: taskOf(params) }),
  }),
  get('tasks/:id/scores', Evaluations.ScoreList, {
    request: ({ params }) => ({ taskId: taskOf(params) }),
  }),
  post('experiments', Evaluations.ExperimentStart, {
    body: Evaluations.ExperimentBody,
    status: 202,
  }),
  get('experiments', Evaluations.ExperimentList),
  get('experiments/:id', Evaluations.ExperimentGet, {
    request: ({ params }) => ({
      experimentId: parseOrThrow(z.string().uuid(), params['id'], 'experiment id'),
    }),
  }),
  put('agent-configs/:name/labels/:label/protection', Evaluations.LabelProtect, {
    body: Evaluations.LabelProtectionBody,
    request: labelledBody,
  }),
  post('scoring-rules', Evaluations.ScoringRuleCreate, {
    body: Evaluations.ScoringRuleBody,
    status: 201,
  }),
  get('scoring-rules', Evaluations.ScoringRuleList),
) {}
