import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { TaskAgentChoice } from '../agent/agent.schemas.js';
import { PlanAction, PlannerKind, TASK_TEXT_MAX, TaskId, ToolConstraints } from './task.schemas.js';

/**
 * Replay and fork (docs/replay.md). A replay runs a recorded task again through the orchestrator's
 * loop with every model completion, tool result and delegation answer taken from the record; a fork
 * takes the record up to a point as done and runs live from there.
 */
export const RunKind = z.enum(['replay', 'fork']);
export type RunKind = z.infer<typeof RunKind>;

const position = (what: string) =>
  z.number().int().min(1).max(1000).describe(`${what}, counted from 1 as the timeline shows it`);

/** Whether a fork recalls long-term memory again (`live`) or uses its parent's recall (`recorded`). */
export const ForkMemory = z.enum(['live', 'recorded']);
export type ForkMemory = z.infer<typeof ForkMemory>;

/** Guardrail rules a run adds to the task's own (a fork's edit, a replay batch's change). */
const AddedGuardrails = z
  .object({
    disallowedKeywords: z.array(z.string().trim().min(1).max(200)).max(200).default([]),
    disallowedPatterns: z.array(z.string().min(1).max(500)).max(50).default([]),
  })
  .strict();

/** What a fork changes at its fork point (the task text, budgets and constraints go in its request). */
export const ForkEdits = z
  .object({
    /** The recorded output of an earlier step, replaced (a what-if on a tool result or an answer). */
    stepOutput: z
      .object({ step: position('the step whose output is replaced'), output: z.unknown() })
      .strict()
      .optional(),
    /** The plan of the fork round, replaced: these actions run live instead of the recorded ones. */
    plan: z.array(PlanAction).min(1).max(100).optional(),
    /** Plan the live part with another planner, or another model of the LLM planner. */
    planner: PlannerKind.optional(),
    model: z.string().min(1).max(200).optional(),
    /** The LLM planner's instructions, replaced for the live part (an evaluation of a prompt). */
    systemPrompt: z.string().min(1).max(20_000).optional(),
    /** Guardrail rules added for this run (a what-if of a rule: a replay says where it would bite). */
    guardrails: AddedGuardrails.optional(),
    /**
     * `recorded`: a live step answers from the record when the parent made the same call (the same
     * tool or agent with the same input), and fails without calling anything otherwise — an
     * evaluation that never touches a real system. `live` (default): live steps run for real.
     */
    tools: z.enum(['live', 'recorded']).optional(),
    /**
     * With `tools: recorded`: tools the operator marks read-only, which run live when the record holds
     * no matching call (an experiment's `liveTools`); every other unrecorded call is still refused.
     */
    liveTools: z.array(z.string().min(1).max(200)).max(50).optional(),
    /**
     * Long-term memory (docs/memory.md): `recorded` plans with what the parent recalled (memory as it
     * was); `live` (default) recalls again from the store as it is now.
     */
    memory: ForkMemory.optional(),
  })
  .strict();
export type ForkEdits = z.infer<typeof ForkEdits>;

/** Where a fork goes live: a planning round (it is planned anew), or a step (it runs for real). */
export const ForkPoint = z.union([
  z.object({ round: position('the first planning round planned live') }).strict(),
  z.object({ step: position('the first step run live') }).strict(),
]);
export type ForkPoint = z.infer<typeof ForkPoint>;

/**
 * On a submission (set by the gateway only): the task is a replay or a fork of `of`, which the
 * orchestrator reads from its own record (and checks the submitter may read).
 */
export const RunOrigin = z
  .object({
    kind: RunKind,
    of: TaskId,
    from: ForkPoint.optional(),
    edits: ForkEdits.optional(),
    /** The replay batch it belongs to (POST /replays). */
    batchId: z.string().uuid().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.kind === 'fork' && !o.from)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a fork needs its fork point' });
    const changes = Object.keys(o.edits ?? {}).filter((k) => k !== 'guardrails');
    if (o.kind === 'replay' && (o.from || changes.length))
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message: 'a replay changes nothing but (as a what-if) the guardrails',
      });
  });
export type RunOrigin = z.infer<typeof RunOrigin>;

/**
 * A place in a run: `input` (its text's check), `recall` (what long-term memory gave it), a planning
 * `round`, a `step`, or its `outcome`.
 */
const TracePosition = {
  at: z.enum(['input', 'recall', 'round', 'step', 'outcome']),
  round: z.number().int().positive().optional(),
  step: z.number().int().positive().optional(),
};

/** Where a replay first did something else than its record (times and ids are not compared). */
export const Divergence = z.object({
  ...TracePosition,
  expected: z.unknown(),
  got: z.unknown(),
  /** In words, e.g. `round 1: expected actions [calculator, notes.add], got fail GUARDRAIL`. */
  summary: z.string(),
});
export type Divergence = z.infer<typeof Divergence>;

/** How a replay ended: identical to its record, or where it first diverged. */
export const ReplayVerdict = z.object({
  identical: z.boolean(),
  of: TaskId,
  rounds: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  divergence: Divergence.optional(),
  /** Differences that do not change what happened (e.g. the request sent to the model). */
  notes: z.array(z.string()).optional(),
});
export type ReplayVerdict = z.infer<typeof ReplayVerdict>;

/** A replay or fork of a task, as its parent lists it. */
export const RunSummary = z.object({
  taskId: TaskId,
  kind: RunKind,
  status: z.string(),
  createdAt: z.string().datetime(),
  from: ForkPoint.optional(),
  verdict: ReplayVerdict.optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** The body of `POST /tasks/{id}/fork`. Exactly one fork point. */
export const ForkRequestBody = z
  .object({
    from_step: position('the first step run live').optional(),
    from_round: position('the first planning round planned live').optional(),
    task: z.string().trim().min(1).max(TASK_TEXT_MAX).optional().describe('The task text, edited.'),
    step_output: z
      .object({ step: position('the step whose recorded output is replaced'), output: z.unknown() })
      .strict()
      .optional(),
    plan: z.array(PlanAction).min(1).max(100).optional(),
    planner: PlannerKind.optional(),
    model: z.string().min(1).max(200).optional(),
    max_steps: z.number().int().min(1).max(100).optional(),
    tool_constraints: ToolConstraints.optional(),
    memory: ForkMemory.optional().describe(
      'Long-term memory: `recorded` plans with what the task recalled (memory as it was), `live` (default) recalls again (memory as it is now).',
    ),
    agent: TaskAgentChoice.optional().describe(
      "Fork onto this agent version (by number or label) instead of the parent's: the fork's version stamp names it (docs/evaluations.md).",
    ),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.from_step === undefined) === (b.from_round === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['from_step'],
        message: 'give exactly one of from_step and from_round',
      });
    if (b.step_output && b.from_step !== undefined && b.step_output.step >= b.from_step)
      ctx.addIssue({
        code: 'custom',
        path: ['step_output', 'step'],
        message: `must be a step before from_step (${b.from_step}): later steps run live`,
      });
    if (b.plan && b.from_round === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['plan'],
        message: 'an edited plan replaces the plan of from_round: give from_round',
      });
    if (b.model && b.planner === 'builtin')
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'the built-in planner has no model',
      });
  });
export type ForkRequestBody = z.infer<typeof ForkRequestBody>;

/** One side of a comparison: what the run did and what it cost. */
export const RunTraceSummary = z.object({
  taskId: TaskId,
  status: z.string(),
  run: z.object({ kind: RunKind, of: TaskId, from: ForkPoint.optional() }).optional(),
  answer: z.string().optional(),
  errorCode: z.string().optional(),
  rounds: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type RunTraceSummary = z.infer<typeof RunTraceSummary>;

/** A position of two runs side by side: what each did there (null: it did not get there). */
export const DiffEntry = z.object({
  ...TracePosition,
  a: z.unknown(),
  b: z.unknown(),
  same: z.boolean(),
});
export type DiffEntry = z.infer<typeof DiffEntry>;

/** `GET /tasks/{a}/diff/{b}`: where two runs of a task differ. */
export const TaskDiffView = z.object({
  a: RunTraceSummary,
  b: RunTraceSummary,
  identical: z.boolean(),
  firstDivergence: Divergence.optional(),
  entries: z.array(DiffEntry),
});
export type TaskDiffView = z.infer<typeof TaskDiffView>;

/** What a replay batch changes for every task it runs again (docs/replay.md). */
export const BatchChanges = z
  .object({
    /** Fork each task onto this agent version (an experiment, docs/evaluations.md). */
    agent: TaskAgentChoice.optional(),
    model: z.string().min(1).max(200).optional(),
    planner: PlannerKind.optional(),
    systemPrompt: z.string().min(1).max(20_000).optional(),
    guardrails: AddedGuardrails.optional(),
    /** Read-only tools a fork may run live when its record holds no matching call (experiments). */
    liveTools: z.array(z.string().min(1).max(200)).max(50).optional(),
  })
  .strict();
export type BatchChanges = z.infer<typeof BatchChanges>;

/**
 * `POST /replays`: ended tasks by id, or by a filter of the caller's reach, run again with a changed
 * configuration. Without a change of model, planner or prompt each is replayed (nothing is called);
 * with one, each is forked from its first planning round, its tool calls answered from its record.
 */
export const ReplayBatchBody = z
  .object({
    taskIds: z.array(TaskId).min(1).max(200).optional(),
    filter: z
      .object({
        userId: z.string().min(1).max(128).optional(),
        threadId: z.string().min(1).max(128).optional(),
        status: z
          .array(z.enum(['completed', 'failed', 'cancelled']))
          .min(1)
          .optional(),
        from: z.string().datetime().optional(),
        to: z.string().datetime().optional(),
        limit: pageLimit(200, 50),
      })
      .strict()
      .optional(),
    changes: BatchChanges.default({}),
    concurrency: z.number().int().min(1).max(8).default(2),
    budget: z
      .object({
        tokens: z.number().int().positive().max(1_000_000_000).optional(),
        costUsd: z.number().positive().max(1_000_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.taskIds === undefined) === (b.filter === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['taskIds'],
        message: 'give exactly one of taskIds and filter',
      });
    if (b.changes.model && b.changes.planner === 'builtin')
      ctx.addIssue({
        code: 'custom',
        path: ['changes', 'model'],
        message: 'the built-in planner has no model',
      });
  });
export type ReplayBatchBody = z.infer<typeof ReplayBatchBody>;

/** How one task of a batch compares with its original. */
export const BatchOutcome = z.enum([
  'identical',
  'same-answer',
  'different-answer',
  'failed',
  'skipped',
]);
export type BatchOutcome = z.infer<typeof BatchOutcome>;

export const BatchItemView = z.object({
  taskId: TaskId,
  /** The recorded step its fork starts at (an experiment's item); absent: its first round. */
  step: z.number().int().positive().optional(),
  runTaskId: TaskId.optional(),
  status: z.enum(['pending', 'running', 'done', 'skipped']),
  outcome: BatchOutcome.optional(),
  /** Why it was skipped, or how its run failed. */
  reason: z.string().optional(),
  answers: z.object({ original: z.string().optional(), rerun: z.string().optional() }).optional(),
  tokens: z.object({ original: z.number().int(), rerun: z.number().int() }).optional(),
  costUsd: z.object({ original: z.number(), rerun: z.number() }).optional(),
  divergence: Divergence.optional(),
});
export type BatchItemView = z.infer<typeof BatchItemView>;

export const ReplayBatchView = z.object({
  batchId: z.string().uuid(),
  status: z.enum(['running', 'completed']),
  /** `replay`: nothing called; `fork`: planned live from the first round, tools from the record. */
  mode: RunKind,
  userId: z.string(),
  changes: BatchChanges,
  concurrency: z.number().int(),
  budget: z.object({ tokens: z.number().optional(), costUsd: z.number().optional() }).optional(),
  createdAt: z.string().datetime(),
  finishedAt: z.string().datetime().optional(),
  totals: z.object({
    tasks: z.number().int(),
    done: z.number().int(),
    identical: z.number().int(),
    sameAnswer: z.number().int(),
    differentAnswer: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    tokens: z.object({ original: z.number().int(), rerun: z.number().int() }),
    costUsd: z.object({ original: z.number(), rerun: z.number() }),
  }),
  items: z.array(BatchItemView),
});
export type ReplayBatchView = z.infer<typeof ReplayBatchView>;

export const ReplayBatchSummary = ReplayBatchView.omit({ items: true });
export type ReplayBatchSummary = z.infer<typeof ReplayBatchSummary>;
