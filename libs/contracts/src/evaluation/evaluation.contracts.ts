import { z } from 'zod';
import { NoArguments } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { type DomainContracts } from '../define.js';
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
import { TenantRulesChanged } from '../tenancy/tenant-rules.events.js';

const TENANT = "In the acting user's tenant; another tenant's is NOT_FOUND.";
// Experiments are also the CLI's gate (`switchboard eval run`, as the admin identity).

/**
 * The evaluation commands, sb.cmd.orchestrator.<entity>.<action>: the gateway's HTTP API sends them.
 */
const orchestrator = commandGroup('sb.cmd.orchestrator', { callers: ['gateway'] });

export const DatasetCreate = orchestrator.command('dataset.create', {
  request: DatasetCreateBody,
  response: DatasetView,
  description: `Creates a dataset (docs/evaluations.md), optionally with a rule that adds matching tasks as they end. A name taken in the tenant is CONFLICT. ${TENANT}`,
});

export const DatasetList = orchestrator.query('dataset.list', {
  request: NoArguments,
  response: z.object({ datasets: z.array(DatasetView.omit({ items: true })) }),
  description: "The datasets of the acting user's tenant, by name, without their items.",
});

export const DatasetGet = orchestrator.query('dataset.get', {
  request: z.object({ dataset: DatasetName }).strict(),
  response: DatasetView,
  description: `One dataset with its items. ${TENANT}`,
});

export const DatasetItemsAdd = orchestrator.command('dataset.items.add', {
  request: z
    .object({ dataset: DatasetName, items: z.array(DatasetItemInput).min(1).max(200) })
    .strict(),
  response: DatasetView,
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description: `Adds recorded tasks to a dataset (a new version of it): each an ended task the caller may read (another's, or one not ended, is VALIDATION naming the item); a task (and step) there already has its expectations replaced. ${TENANT}`,
});

export const ScoreAdd = orchestrator.command('score.add', {
  request: HumanScoreBody.extend({ taskId: TaskId }).strict(),
  response: ScoreView,
  description: `A human score of a task the caller may read (source \`human\`, the acting user named). ${TENANT}`,
});

export const ScoreList = orchestrator.query('score.list', {
  request: z.object({ taskId: TaskId }).strict(),
  response: z.object({ scores: z.array(ScoreView) }),
  description: `The scores of a task the caller may read, oldest first. ${TENANT}`,
});

export const ExperimentStart = orchestrator.command('experiment.start', {
  callers: ['gateway', 'admin'],
  request: ExperimentBody,
  response: ExperimentView,
  timeoutMs: 10_000,
  description: `Runs a dataset against an agent version (and its baseline), each item a fork of its recorded task onto the version whose tool calls are answered from the record only: nothing is executed. ${TENANT}`,
});

export const ExperimentGet = orchestrator.query('experiment.get', {
  callers: ['gateway', 'admin'],
  request: z.object({ experimentId: z.string().uuid() }).strict(),
  response: ExperimentView,
  timeoutMs: 10_000,
  description: `An experiment: per item its scores, divergences, tokens and time, the aggregates and the pairwise comparison with the baseline. Its creator's, or (admins) its tenant's; any other is NOT_FOUND.`,
});

export const ExperimentList = orchestrator.query('experiment.list', {
  request: NoArguments,
  response: z.object({ experiments: z.array(ExperimentSummary) }),
  description: `The experiments the caller may read (its own; an admin's: the tenant's), newest first, at most 100: each as stored (one still running until it is read once both batches ended). ${TENANT}`,
});

export const LabelProtect = orchestrator.command('agent.label.protect', {
  request: LabelProtectionBody.extend({ agent: AgentName, label: AgentLabelName }).strict(),
  response: LabelProtectionView,
  idempotency: 'idempotent',
  description: `Protects a label of an agent: from then on it moves only to a version with a passing experiment on the dataset (no item worse than its baseline and a mean at least the baseline's; or, with a threshold, a mean at least that), else the move is CONFLICT. An admin's of the tenant (anyone else: FORBIDDEN). Audited. ${TENANT}`,
});

export const ScoringRuleCreate = orchestrator.command('scoring-rule.create', {
  request: ScoringRuleBody,
  response: ScoringRuleView,
  description: `An online scoring rule: a sample (\`rate\`) of the live tasks matching its filter is scored as they end, off their path, with its scorers; each score is recorded on the task (source \`code\` or \`judge\`). A name taken is CONFLICT. An admin's of the tenant (anyone else: FORBIDDEN). ${TENANT}`,
});

export const ScoringRuleList = orchestrator.query('scoring-rule.list', {
  request: NoArguments,
  response: z.object({ rules: z.array(ScoringRuleView) }),
  description: "The online scoring rules of the acting user's tenant, by name.",
});

export const EVALUATION_CONTRACTS: DomainContracts = {
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
  // the default agent's changes too: the rules every task of a tenant reads
  events: [TenantRulesChanged],
};
