import { Agents, Evaluations, Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import { DatasetItemsBody } from '../evaluations/evaluations.controller.js';
import {
  accepted,
  created,
  listOf,
  ok,
  requiredBody,
  serviceErrors,
} from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const dataset = {
  name: { schema: Evaluations.DatasetName, description: 'The dataset’s name in the tenant.' },
};
const task = { id: { schema: Tasks.TaskId, description: 'The task id.' } };
const SEE = 'See docs/evaluations.md.';
const OF_TENANT = "In the caller's tenant; another tenant's is 404.";

/** Datasets, scores and experiments (docs/evaluations.md). */
export const EVALUATION_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'post',
    path: '/datasets',
    summary: 'Create a dataset',
    description: `A named, versioned list of recorded tasks, optionally with a \`rule\` (a filter over ended tasks — tool, outcome, agent, label, user, time — and a sampling \`rate\`) that adds matching live tasks as they end. 400 names the field; a name taken: 409. ${SEE}`,
    ...requiredBody(Evaluations.DatasetCreateBody),
    responses: created('Created.', Evaluations.DatasetView),
    errors: serviceErrors(400, 409, 415),
  },
  {
    method: 'get',
    path: '/datasets',
    summary: 'Datasets',
    description: "The caller's tenant's datasets, by name, without their items.",
    responses: ok('By name.', listOf('datasets', Evaluations.DatasetView.omit({ items: true }))),
    errors: serviceErrors(),
  },
  {
    method: 'get',
    path: '/datasets/{name}',
    summary: 'One dataset',
    description: `Its version and items. ${OF_TENANT}`,
    pathParams: dataset,
    responses: ok('The dataset.', Evaluations.DatasetView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/datasets/{name}/items',
    summary: 'Add tasks to a dataset',
    description: `Each item an ended task the caller may read (400 naming the item otherwise), with optional expectations (an answer, a JSON schema, a tool trajectory); the dataset's next version. ${OF_TENANT}`,
    pathParams: dataset,
    ...requiredBody(DatasetItemsBody),
    responses: ok('The dataset.', Evaluations.DatasetView),
    errors: serviceErrors(400, 404, 415),
  },
  {
    method: 'post',
    path: '/tasks/{id}/scores',
    summary: 'Score a task',
    description: `A human score (a number, a category or a boolean) of a task the caller may read, recorded with the caller's name. ${OF_TENANT}`,
    pathParams: task,
    ...requiredBody(Evaluations.HumanScoreBody),
    responses: created('Recorded.', Evaluations.ScoreView),
    errors: serviceErrors(400, 404, 415),
  },
  {
    method: 'get',
    path: '/tasks/{id}/scores',
    summary: "A task's scores",
    description: `Code, judge and human scores of the task, oldest first. ${OF_TENANT}`,
    pathParams: task,
    responses: ok('Oldest first.', listOf('scores', Evaluations.ScoreView)),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/experiments',
    summary: 'Run a dataset against an agent version',
    description: `Each item runs as a fork of its recorded task onto the version, its tool calls answered from the record and never executed (a call the record does not hold is a divergence); with \`baseline\`, the same items onto the baseline version. Poll GET /experiments/{id} until \`completed\`. ${SEE}`,
    ...requiredBody(Evaluations.ExperimentBody),
    responses: accepted('Started.', Evaluations.ExperimentView),
    errors: serviceErrors(400, 404, 415),
  },
  {
    method: 'get',
    path: '/experiments',
    summary: 'Experiments',
    description: `The caller's experiments (an admin's: the tenant's), newest first, at most 100: what each ran and, once read after both its batches ended, its mean, pairwise counts and whether it passed. ${SEE}`,
    responses: ok('Newest first.', listOf('experiments', Evaluations.ExperimentSummary)),
    errors: serviceErrors(),
  },
  {
    method: 'get',
    path: '/experiments/{id}',
    summary: 'An experiment',
    description: `Per item its scores, divergences, tokens and time; the aggregates; the pairwise comparison with the baseline (better / worse / same / diverged) and whether it passed. Its creator's, or (admins) its tenant's; any other is 404.`,
    pathParams: { id: { schema: z.string().uuid(), description: 'The experiment id.' } },
    responses: ok('The experiment.', Evaluations.ExperimentView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'put',
    path: '/agent-configs/{name}/labels/{label}/protection',
    summary: 'Protect a label',
    description: `From then on the label moves only to a version with a passing experiment on the dataset: no item worse than its baseline and a mean at least the baseline's, or, with \`threshold\`, a mean at least that; any other move is 409. An admin's of the tenant (anyone else: 403). Audited. ${OF_TENANT}`,
    pathParams: {
      name: { schema: Agents.AgentName, description: 'The agent’s name in the tenant.' },
      label: { schema: Agents.AgentLabelName, description: 'The label, e.g. `production`.' },
    },
    ...requiredBody(Evaluations.LabelProtectionBody),
    responses: ok('Protected.', Evaluations.LabelProtectionView),
    errors: serviceErrors(400, 403, 404, 415),
  },
  {
    method: 'post',
    path: '/scoring-rules',
    summary: 'Score live tasks as they end',
    description: `An online scoring rule: a sample (\`rate\`) of the live tasks matching \`filter\` is scored as they end, off their path, with \`scorers\` against the rule's \`expectations\`; the scores are on each task (GET /tasks/{id}/scores). 400 names the field; a name taken: 409. An admin's of the tenant (anyone else: 403). ${SEE}`,
    ...requiredBody(Evaluations.ScoringRuleBody),
    responses: created('Created.', Evaluations.ScoringRuleView),
    errors: serviceErrors(400, 403, 409, 415),
  },
  {
    method: 'get',
    path: '/scoring-rules',
    summary: 'Online scoring rules',
    description: "The caller's tenant's online scoring rules, by name.",
    responses: ok('By name.', listOf('rules', Evaluations.ScoringRuleView)),
    errors: serviceErrors(),
  },
];
