import { z } from 'zod';
// the audit schemas alone (they import identity and text only): the audit contracts stay out of tasks
import { AuditRecord } from '../audit/audit.schemas.js';
import { AgentStamp } from '../agent/agent.schemas.js';
import { ErrorBody } from '../errors.js';
import { Actor } from '../identity.schemas.js';
import { safeText } from '../text.schemas.js';
import { ForkPoint, ReplayVerdict, RunKind, RunOrigin, RunSummary } from './replay.schemas.js';
import {
  ConstraintName,
  PlanningRoundView,
  StepView,
  TaskId,
  TaskRequest,
  TASK_HEAD,
  TokenUsage,
} from './task.schemas.js';

/** What the gateway puts on the durable submission stream. */
export const TaskSubmission = z.object({
  taskId: TaskId,
  actor: Actor,
  request: TaskRequest,
  submittedAt: z.string().datetime(),
  correlationId: safeText(z.string().min(1).max(128)),
  /**
   * Internal, set by the gateway's MCP endpoint only: the task is this one tool call, exactly as the
   * MCP client asked for it (a call that needs approval runs as a one-call task, docs/mcp.md).
   */
  call: z
    .object({
      tool: ConstraintName,
      input: z.record(z.string(), z.unknown()),
    })
    .strict()
    .optional(),
  /** Internal, set by the gateway only: the task replays or forks a recorded one (docs/replay.md). */
  run: RunOrigin.optional(),
  /** Internal, set by the orchestrator's scheduler only: the schedule whose firing this task is. */
  scheduleId: z.string().uuid().optional(),
  /**
   * Internal, set by the gateway (and the orchestrator's scheduler): the submission's own audit
   * record (`request` / `task.submit`), journaled by the orchestrator's claim of the task instead of
   * being published on its own (docs/architecture.md, "The audit relay"). Absent from an older
   * gateway's submission, which published it.
   */
  audit: AuditRecord.optional(),
});
export type TaskSubmission = z.infer<typeof TaskSubmission>;

export const TaskView = z.object({
  ...TASK_HEAD,
  result: z.string().optional(),
  error: ErrorBody.optional(),
  steps: z.array(StepView),
  threadId: z.string().optional(),
  /** Tokens (and cost) of the whole task, summed over its planning rounds. */
  usage: TokenUsage.optional(),
  planning: z.array(PlanningRoundView).optional(),
  lastEventSeq: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  finishedAt: z.string().datetime().optional(),
  /** From the first claim to the end, as the terminal event reports it (absent while it runs). */
  durationMs: z.number().nonnegative().optional(),
  /** A replay or fork: of which task, and (a fork) from where. */
  run: z.object({ kind: RunKind, of: TaskId, from: ForkPoint.optional() }).optional(),
  /** The schedule whose firing submitted it (docs/schedules.md). */
  scheduleId: z.string().uuid().optional(),
  /** A replay's verdict, once it ended. */
  verdict: ReplayVerdict.optional(),
  /** The replays and forks of this task, oldest first (the tree's next level). */
  runs: z.array(RunSummary).optional(),
  /** The agent version it ran (docs/agents.md): its version stamp, absent for a task of no agent. */
  agent: AgentStamp.optional(),
});
export type TaskView = z.infer<typeof TaskView>;
