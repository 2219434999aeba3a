import { z } from 'zod';
import { AgentLabelName, AgentName, TaskAgentChoice } from '../agent/agent.schemas.js';
import { TaskId } from '../task/task.schemas.js';

/**
 * Evaluations (docs/evaluations.md): datasets of recorded tasks, scorers, scores, and experiments that
 * run a dataset against an agent version without calling a tool.
 */
export const DatasetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, . _ -, at most 63');

/** One call of a tool trajectory: the tool, and (optionally) its arguments. */
export const TrajectoryCall = z
  .object({
    tool: z.string().min(1).max(200),
    args: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type TrajectoryCall = z.infer<typeof TrajectoryCall>;

/** What a dataset item expects of a run (each optional): its answer, its shape, its tool calls. */
export const Expectations = z
  .object({
    answer: z.string().max(20_000).optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
    trajectory: z.array(TrajectoryCall).max(100).optional(),
  })
  .strict();
export type Expectations = z.infer<typeof Expectations>;

export const DatasetItemInput = z
  .object({
    taskId: TaskId,
    /** The step to start from (1-based, as the timeline numbers them); absent: the whole task. */
    step: z.number().int().min(1).max(1000).optional(),
    expectations: Expectations.optional(),
  })
  .strict();
export type DatasetItemInput = z.infer<typeof DatasetItemInput>;

/** Which ended tasks a dataset's rule adds, and what share of them. */
export const DatasetRule = z
  .object({
    filter: z
      .object({
        /** A tool the task called (by name). */
        tool: z.string().min(1).max(200).optional(),
        outcome: z
          .array(z.enum(['completed', 'failed', 'cancelled']))
          .min(1)
          .optional(),
        /** The agent (and label) its version stamp names. */
        agent: AgentName.optional(),
        label: AgentLabelName.optional(),
        userId: z.string().min(1).max(128).optional(),
        from: z.string().datetime().optional(),
        to: z.string().datetime().optional(),
      })
      .strict()
      .default({}),
    /** The share of matching tasks added, 0-1 (sampled by task id: the same task, the same answer). */
    rate: z.number().min(0).max(1).default(1),
    /** The rule stops adding at this many items. */
    maxItems: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();
export type DatasetRule = z.infer<typeof DatasetRule>;

export const DatasetCreateBody = z
  .object({
    name: DatasetName,
    description: z.string().max(2_000).optional(),
    rule: DatasetRule.optional(),
  })
  .strict();
export type DatasetCreateBody = z.infer<typeof DatasetCreateBody>;

export const DatasetItemView = DatasetItemInput.extend({
  /** The dataset version that added it. */
  addedIn: z.number().int().positive(),
  source: z.enum(['api', 'rule']),
});
export type DatasetItemView = z.infer<typeof DatasetItemView>;

export const DatasetView = z.object({
  name: DatasetName,
  description: z.string().optional(),
  /** Bumped by every change of its items: an experiment names the version it ran. */
  version: z.number().int().nonnegative(),
  rule: DatasetRule.optional(),
  items: z.array(DatasetItemView),
  createdBy: z.string(),
  createdAt: z.string().datetime(),
});
export type DatasetView = z.infer<typeof DatasetView>;

export const TrajectoryMode = z.enum(['strict', 'in-order', 'any-order', 'subset', 'superset']);
export type TrajectoryMode = z.infer<typeof TrajectoryMode>;
/** How two calls' arguments compare: equal, ignored, or the expected ones found in the actual. */
export const ArgsMatch = z.enum(['exact', 'ignore', 'subset']);
export type ArgsMatch = z.infer<typeof ArgsMatch>;

const named = { name: z.string().min(1).max(100).optional() };
/** A scorer: a code scorer on the answer or the trajectory, or an LLM judge with a rubric. */
export const ScorerSpec = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('exact'), ...named, caseSensitive: z.boolean().default(false) })
    .strict(),
  z
    .object({ kind: z.literal('contains'), ...named, caseSensitive: z.boolean().default(false) })
    .strict(),
  z
    .object({
      kind: z.literal('regex'),
      ...named,
      pattern: z.string().min(1).max(500),
      flags: z
        .string()
        .regex(/^[imsu]*$/)
        .optional(),
    })
    .strict(),
  z.object({ kind: z.literal('json-schema'), ...named }).strict(),
  z
    .object({
      kind: z.literal('trajectory'),
      ...named,
      mode: TrajectoryMode.default('strict'),
      args: ArgsMatch.default('exact'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('judge'),
      ...named,
      rubric: z.string().min(1).max(5_000),
      model: z.string().min(1).max(200).optional(),
    })
    .strict(),
]);
export type ScorerSpec = z.infer<typeof ScorerSpec>;

export const ScoreValue = z.union([z.number(), z.boolean(), z.string().min(1).max(100)]);
export type ScoreValue = z.infer<typeof ScoreValue>;
export const ScoreSource = z.enum(['code', 'judge', 'human']);

/** A score: what scored which task (and step), with which scorer version. */
export const ScoreView = z.object({
  name: z.string(),
  value: ScoreValue,
  source: ScoreSource,
  taskId: TaskId,
  step: z.number().int().positive().optional(),
  scorerVersion: z.string(),
  reason: z.string().optional(),
  /** Who gave it (human scores). */
  userId: z.string().optional(),
  experimentId: z.string().uuid().optional(),
  createdAt: z.string().datetime(),
});
export type ScoreView = z.infer<typeof ScoreView>;

export const HumanScoreBody = z
  .object({
    name: z.string().min(1).max(100),
    value: ScoreValue,
    step: z.number().int().min(1).max(1000).optional(),
    reason: z.string().max(2_000).optional(),
  })
  .strict();
export type HumanScoreBody = z.infer<typeof HumanScoreBody>;

export const ExperimentBody = z
  .object({
    dataset: DatasetName,
    /** The candidate version. */
    agent: TaskAgentChoice,
    /** The version it is compared with, over the same items (by version number or label). */
    baseline: z
      .object({ version: z.number().int().positive().optional(), label: AgentLabelName.optional() })
      .strict()
      .refine((b) => (b.version === undefined) !== (b.label === undefined), {
        path: ['version'],
        message: 'give exactly one of version and label',
      })
      .optional(),
    scorers: z.array(ScorerSpec).min(1).max(10),
    concurrency: z.number().int().min(1).max(8).default(4),
    /**
     * Tools the operator marks read-only: a call of one the record does not hold runs live (and is
     * listed as such); every other unrecorded call is never executed and reported as a divergence.
     */
    liveTools: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .strict();
export type ExperimentBody = z.infer<typeof ExperimentBody>;

/** How an item of the candidate compares with the baseline's, by the mean of its numeric scores. */
export const PairwiseOutcome = z.enum(['better', 'worse', 'same', 'diverged']);
export type PairwiseOutcome = z.infer<typeof PairwiseOutcome>;

/** A tool call the candidate asked for that the record does not hold: never executed. */
export const ExperimentDivergence = z.object({
  step: z.number().int().positive(),
  tool: z.string(),
  input: z.unknown(),
  message: z.string(),
});
export type ExperimentDivergence = z.infer<typeof ExperimentDivergence>;

/** A call of a read-only tool (the experiment's `liveTools`) the record did not hold: it ran live. */
export const ExperimentLiveCall = z.object({
  step: z.number().int().positive(),
  tool: z.string(),
  input: z.unknown(),
});
export type ExperimentLiveCall = z.infer<typeof ExperimentLiveCall>;

export const ExperimentRunView = z.object({
  runTaskId: TaskId.optional(),
  status: z.string(),
  answer: z.string().optional(),
  scores: z.record(z.string(), ScoreValue),
  /** The mean of the numeric (and boolean, as 0/1) scores. */
  mean: z.number().optional(),
  tokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  durationMs: z.number().nonnegative().optional(),
  divergences: z.array(ExperimentDivergence),
  /** The calls that ran live (read-only tools only); absent: none did. */
  live: z.array(ExperimentLiveCall).optional(),
});
export type ExperimentRunView = z.infer<typeof ExperimentRunView>;

export const ExperimentItemView = z.object({
  taskId: TaskId,
  /** The recorded step the item's runs started at; absent: the whole task. */
  step: z.number().int().positive().optional(),
  candidate: ExperimentRunView,
  baseline: ExperimentRunView.optional(),
  comparison: PairwiseOutcome.optional(),
});
export type ExperimentItemView = z.infer<typeof ExperimentItemView>;

export const ExperimentAggregate = z.object({
  items: z.number().int(),
  /** Per scorer: the mean over the items it scored. */
  means: z.record(z.string(), z.number()),
  mean: z.number().optional(),
  tokens: z.number().int(),
  costUsd: z.number(),
  durationMs: z.number().optional(),
  diverged: z.number().int(),
});
export type ExperimentAggregate = z.infer<typeof ExperimentAggregate>;

export const ExperimentView = z.object({
  experimentId: z.string().uuid(),
  status: z.enum(['running', 'completed']),
  dataset: DatasetName,
  datasetVersion: z.number().int().nonnegative(),
  agent: z.string(),
  version: z.number().int().positive(),
  baselineVersion: z.number().int().positive().optional(),
  scorers: z.array(ScorerSpec),
  /** The read-only tools allowed to run live. */
  liveTools: z.array(z.string()).optional(),
  items: z.array(ExperimentItemView),
  candidate: ExperimentAggregate,
  baseline: ExperimentAggregate.optional(),
  pairwise: z
    .object({
      better: z.number().int(),
      worse: z.number().int(),
      same: z.number().int(),
      diverged: z.number().int(),
    })
    .optional(),
  /** Passing: no item worse than the baseline and a mean at least the baseline's. */
  passed: z.boolean().optional(),
  createdBy: z.string(),
  createdAt: z.string().datetime(),
});
export type ExperimentView = z.infer<typeof ExperimentView>;

/** One experiment of `GET /experiments`: what it ran and, once scored, its verdict. */
export const ExperimentSummary = ExperimentView.pick({
  experimentId: true,
  status: true,
  dataset: true,
  datasetVersion: true,
  agent: true,
  version: true,
  baselineVersion: true,
  pairwise: true,
  passed: true,
  createdBy: true,
  createdAt: true,
}).extend({ items: z.number().int().optional(), mean: z.number().optional() });
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;

/** `PUT /agent-configs/{name}/labels/{label}/protection`: the label moves only past this gate. */
export const LabelProtectionBody = z
  .object({
    dataset: DatasetName,
    /** Passing: a mean at least this (0-1) instead of "no item worse than the baseline". */
    threshold: z.number().min(0).max(1).optional(),
  })
  .strict();
export type LabelProtectionBody = z.infer<typeof LabelProtectionBody>;

export const LabelProtectionView = LabelProtectionBody.extend({
  agent: AgentName,
  label: AgentLabelName,
  setBy: z.string(),
  setAt: z.string().datetime(),
});
export type LabelProtectionView = z.infer<typeof LabelProtectionView>;

/**
 * `POST /scoring-rules`: scores a sample of live tasks as they end (off their path) with the scorers,
 * against the rule's expectations (a regex, a JSON schema every answer must meet, a judge's rubric).
 */
export const ScoringRuleBody = z
  .object({
    name: DatasetName,
    filter: DatasetRule.shape.filter,
    rate: z.number().min(0).max(1).default(0.1),
    scorers: z.array(ScorerSpec).min(1).max(10),
    expectations: Expectations.optional(),
  })
  .strict();
export type ScoringRuleBody = z.infer<typeof ScoringRuleBody>;

export const ScoringRuleView = ScoringRuleBody.extend({
  createdBy: z.string(),
  createdAt: z.string().datetime(),
});
export type ScoringRuleView = z.infer<typeof ScoringRuleView>;
