import { z } from 'zod';
import { ErrorBody } from '../errors.js';
import { TenantId } from '../identity.schemas.js';
import { TaskAgentChoice } from '../agent/agent.schemas.js';
import { ApprovalRequest } from '../approval/approval.schemas.js';
import { safeText, UNSTORABLE_JSON_MESSAGE, unstorableJsonPath } from '../text.schemas.js';
import { TaskWebhook } from '../webhook/webhook-target.schemas.js';
import { ToolName } from '../tools/tool-name.schemas.js';

/** A name in a constraint's list, a tool's or a provider's: written as tool names are. */
export const ConstraintName = ToolName;

/** Which tools a task may use: `auto` = authorized providers; `custom` = allow-lists. */
export const ToolConstraints = z
  .object({
    mode: z.enum(['auto', 'custom']),
    providers: z.array(ConstraintName).max(100).optional(),
    tools: z.array(ConstraintName).max(500).optional(),
  })
  .strict();
export type ToolConstraints = z.infer<typeof ToolConstraints>;

export const TASK_TEXT_MAX = 8_000;

/** A conversation's id, the submitter's own (the same id of two users names two threads). */
export const ThreadId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and . _ : - only');

/**
 * What a message to a busy thread does: `reject` (CONFLICT naming the running task), `enqueue` (runs
 * after it), `interrupt` (cancels it, then runs with the history so far), `rollback` (cancels it and
 * discards its turns, then runs).
 */
export const THREAD_POLICIES = ['reject', 'enqueue', 'interrupt', 'rollback'] as const;
export const ThreadPolicy = z.enum(THREAD_POLICIES);
export type ThreadPolicy = z.infer<typeof ThreadPolicy>;

/** A task request's fields (TaskRequest checks them together). */
const TaskRequestFields = z
  .object({
    task: safeText(
      z.string().max(TASK_TEXT_MAX, `must be at most ${TASK_TEXT_MAX} characters`),
    ).refine((s) => s.trim().length > 0, 'must not be empty'),
    tool_constraints: ToolConstraints.optional(),
    thread_id: ThreadId.optional(),
    /**
     * What happens when the thread is busy with an earlier task (docs/api.md, "Threads"); only with
     * `thread_id`. Absent: the orchestrator's THREAD_POLICY_DEFAULT.
     */
    thread_policy: ThreadPolicy.optional(),
    max_steps: z.number().int().min(1).max(100).optional(),
    /** Tools (or agents) whose calls need approval in this task, besides those whose policy says so. */
    approval: ApprovalRequest.optional(),
    /**
     * A URL called with the task's events of the kinds asked for (docs/webhooks.md): `ended` unless
     * `events` says otherwise. Signed with the submitter's task-webhook secret.
     */
    webhook: TaskWebhook.optional(),
    /**
     * The agent version it runs (docs/agents.md): by version number or label (default
     * `production`), resolved once at its start. Absent: no agent, the platform's planner as it is.
     */
    agent: TaskAgentChoice.optional(),
  })
  .strict();

/** The body of `POST /orchestrate` and `POST /orchestrate/stream`. Unknown fields are rejected. */
export const TaskRequest = TaskRequestFields.refine(
  (r) => r.thread_policy === undefined || r.thread_id !== undefined,
  {
    path: ['thread_policy'],
    message: 'needs thread_id',
  },
);
export type TaskRequest = z.infer<typeof TaskRequest>;

/**
 * The arguments of the MCP endpoint's tool that runs a whole task as the caller
 * (`switchboard.run_task`, docs/mcp.md): a task request's own `task`, `thread_id` and `agent`,
 * checked as POST /orchestrate checks them. Unknown fields are rejected.
 */
export const RunTaskArguments = TaskRequestFields.pick({
  task: true,
  thread_id: true,
  agent: true,
}).strict();
export type RunTaskArguments = z.infer<typeof RunTaskArguments>;

export const TaskId = z.string().uuid();

/** `waiting_approval`: stopped before a call that needs a person's decision; no replica holds it. */
export const TaskStatus = z.enum([
  'queued',
  'running',
  'waiting_approval',
  'completed',
  'failed',
  'cancelled',
]);
export type TaskStatus = z.infer<typeof TaskStatus>;
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Every duration the API and the task events report, in milliseconds to 0.1 ms: finer digits are
 * noise of the clock, not information.
 */
export function roundDurationMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export const StepKind = z.enum(['tool', 'agent']);
export type StepKind = z.infer<typeof StepKind>;

/** `cancelled`: the step was under way when its task stopped (cancelled, or out of time). */
export const StepStatus = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatus>;

/** Which planner produced a plan. The built-in one is deterministic and never presented as an LLM. */
export const PlannerKind = z.enum(['builtin', 'llm']);
export type PlannerKind = z.infer<typeof PlannerKind>;

/** What a stored task's view and its row in the task list both begin with: whose, its state, its text. */
export const TASK_HEAD = {
  taskId: TaskId,
  userId: z.string(),
  /** The tenant the task belongs to (its submitter's). */
  tenantId: TenantId.optional(),
  status: TaskStatus,
  /** The task text (in a row of the task list, cut to TASK_SUMMARY_TEXT_MAX characters). */
  task: z.string(),
  planner: PlannerKind.optional(),
};

export const PLAN_DESCRIPTION_MAX = 500;

/**
 * One action of a plan. `input` may reference earlier results as `"$steps.<id>.output"`. Plans are
 * stored as jsonb, so no string of an action may hold NUL or an unpaired surrogate (the issue names it).
 */
export const PlanAction = z
  .object({
    id: z.string().min(1).max(64),
    kind: StepKind,
    target: z.string().min(1).max(128),
    input: z.record(z.string(), z.unknown()),
    description: z.string().max(PLAN_DESCRIPTION_MAX),
  })
  .superRefine((action, ctx) => {
    const at = unstorableJsonPath(action);
    if (at) ctx.addIssue({ code: 'custom', path: at, message: UNSTORABLE_JSON_MESSAGE });
  });
export type PlanAction = z.infer<typeof PlanAction>;

export const TokenUsage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  /** Only when a price table is configured for the model (LLM_PRICES). */
  costUsd: z.number().nonnegative().optional(),
  /** True when the server reported no usage and the counts are estimates (about 4 characters a token). */
  estimated: z.boolean().optional(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const StepView = z.object({
  stepId: z.string(),
  index: z.number().int().nonnegative(),
  kind: StepKind,
  target: z.string(),
  status: StepStatus,
  input: z.unknown(),
  output: z.unknown().optional(),
  error: ErrorBody.optional(),
  startedAt: z.string().datetime(),
  finishedAt: z.string().datetime().optional(),
});
export type StepView = z.infer<typeof StepView>;

/** One planning round of a task (an LLM call, or the built-in planner's decision) and what it cost. */
export const PlanningRoundView = z.object({
  iteration: z.number().int().positive(),
  planner: PlannerKind,
  decision: z.enum(['actions', 'final', 'fail']),
  actions: z.number().int().nonnegative(),
  model: z.string().optional(),
  usage: TokenUsage.optional(),
  durationMs: z.number().nonnegative().optional(),
});
export type PlanningRoundView = z.infer<typeof PlanningRoundView>;
