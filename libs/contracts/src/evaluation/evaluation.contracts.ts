import { z } from 'zod';
import { type CommandContract, defineCommand, type EventContract } from '../define.js';
import { TaskId } from '../task/task.schemas.js';
import {
  DatasetCreateBody,
  DatasetItemInput,
  DatasetName,
  DatasetView,
  ExperimentBody,
  ExperimentSummary,
  ExperimentView,
  HumanScoreBody,
  LabelProtectionBody,
  LabelProtectionView,
  ScoreView,
  ScoringRuleBody,
  ScoringRuleView,
} from './evaluation.schemas.js';
import { AgentLabelName, AgentName } from '../agent/agent.schemas.js';

const TENANT = "In the acting user's tenant; another tenant's is NOT_FOUND.";
// Experiments are also the CLI's gate (`switchboard eval run`, as the admin identity).

export const DatasetCreate = defineCommand({
  subject: 'sb.cmd.orchestrator.dataset.create',
  service: 'orchestrator',
  callers: ['gateway'],
  request: DatasetCreateBody,
  response: DatasetView,
  timeoutMs: 5_000,
  description: `Creates a dataset (docs/evaluations.md), optionally with a rule that adds matching tasks as they end. A name taken in the tenant is CONFLICT. ${TENANT}`,
});

export const DatasetList = defineCommand({
  subject: 'sb.cmd.orchestrator.dataset.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({}).strict(),
  response: z.object({ datasets: z.array(DatasetView.omit({ items: true })) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: "The datasets of the acting user's tenant, by name, without their items.",
});

export const DatasetGet = defineCommand({
  subject: 'sb.cmd.orchestrator.dataset.get',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ dataset: DatasetName }).strict(),
  response: DatasetView,
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: `One dataset with its items. ${TENANT}`,
});

export const DatasetItemsAdd = defineCommand({
  subject: 'sb.cmd.orchestrator.dataset.items.add',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z
    .object({ dataset: DatasetName, items: z.array(DatasetItemInput).min(1).max(200) })
    .strict(),
  response: DatasetView,
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description: `Adds recorded tasks to a dataset (a new version of it): each an ended task the caller may read (another's, or one not ended, is VALIDATION naming the item); a task (and step) there already has its expectations replaced. ${TENANT}`,
});

export const ScoreAdd = defineCommand({
  subject: 'sb.cmd.orchestrator.score.add',
  service: 'orchestrator',
  callers: ['gateway'],
  request: HumanScoreBody.extend({ taskId: TaskId }).strict(),
  response: ScoreView,
  timeoutMs: 5_000,
  description: `A human score of a task the caller may read (source \`human\`, the acting user named). ${TENANT}`,
});

export const ScoreList = defineCommand({
  subject: 'sb.cmd.orchestrator.score.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({ taskId: TaskId }).strict(),
  response: z.object({ scores: z.array(ScoreView) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: `The scores of a task the caller may read, oldest first. ${TENANT}`,
});

export const ExperimentStart = defineCommand({
  subject: 'sb.cmd.orchestrator.experiment.start',
  service: 'orchestrator',
  callers: ['gateway', 'admin'],
  request: ExperimentBody,
  response: ExperimentView,
  timeoutMs: 10_000,
  description: `Runs a dataset against an agent version (and its baseline), each item a fork of its recorded task onto the version whose tool calls are answered from the record only: nothing is executed. ${TENANT}`,
});

export const ExperimentGet = defineCommand({
  subject: 'sb.cmd.orchestrator.experiment.get',
  service: 'orchestrator',
  callers: ['gateway', 'admin'],
  request: z.object({ experimentId: z.string().uuid() }).strict(),
  response: ExperimentView,
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description: `An experiment: per item its scores, divergences, tokens and time, the aggregates and the pairwise comparison with the baseline. Its creator's, or (admins) its tenant's; any other is NOT_FOUND.`,
});

export const ExperimentList = defineCommand({
  subject: 'sb.cmd.orchestrator.experiment.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({}).strict(),
  response: z.object({ experiments: z.array(ExperimentSummary) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: `The experiments the caller may read (its own; an admin's: the tenant's), newest first, at most 100: each as stored (one still running until it is read once both batches ended). ${TENANT}`,
});

export const LabelProtect = defineCommand({
  subject: 'sb.cmd.orchestrator.agent.label.protect',
  service: 'orchestrator',
  callers: ['gateway'],
  request: LabelProtectionBody.extend({ agent: AgentName, label: AgentLabelName }).strict(),
  response: LabelProtectionView,
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: `Protects a label of an agent: from then on it moves only to a version with a passing experiment on the dataset (no item worse than its baseline and a mean at least the baseline's; or, with a threshold, a mean at least that), else the move is CONFLICT. An admin's of the tenant (anyone else: FORBIDDEN). Audited. ${TENANT}`,
});

export const ScoringRuleCreate = defineCommand({
  subject: 'sb.cmd.orchestrator.scoring-rule.create',
  service: 'orchestrator',
  callers: ['gateway'],
  request: ScoringRuleBody,
  response: ScoringRuleView,
  timeoutMs: 5_000,
  description: `An online scoring rule: a sample (\`rate\`) of the live tasks matching its filter is scored as they end, off their path, with its scorers; each score is recorded on the task (source \`code\` or \`judge\`). A name taken is CONFLICT. An admin's of the tenant (anyone else: FORBIDDEN). ${TENANT}`,
});

export const ScoringRuleList = defineCommand({
  subject: 'sb.cmd.orchestrator.scoring-rule.list',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z.object({}).strict(),
  response: z.object({ rules: z.array(ScoringRuleView) }),
  timeoutMs: 5_000,
  idempotency: 'idempotent',
  description: "The online scoring rules of the acting user's tenant, by name.",
});

export const EVALUATION_CONTRACTS: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
} = {
  commands: [
    DatasetCreate,
    DatasetList,
    DatasetGet,
    DatasetItemsAdd,
    ScoreAdd,
    ScoreList,
    ExperimentStart,
    ExperimentGet,
    ExperimentList,
    LabelProtect,
    ScoringRuleCreate,
    ScoringRuleList,
  ],
  events: [],
};
