import { z } from 'zod';
import { AgentTransport } from '../a2a/a2a.schemas.js';
import { AgentStamp, AgentVersionRef } from '../agent/agent.schemas.js';
import { ErrorBody } from '../errors.js';
import { MemoryNamespace } from '../tools/memory.contracts.js';
import { scrubJson } from '../text.schemas.js';
import { ForkPoint, ReplayVerdict, RunKind } from './replay.schemas.js';
import { PlanAction, PlannerKind, StepKind, TaskId, TokenUsage } from './task.schemas.js';

/**
 * The task event catalogue. Names are the SSE event names existing clients already handle, and are
 * stable: the gateway streams them verbatim as `event:` lines, operators tail them as subject suffixes.
 */
export const TaskEventName = {
  TaskStarted: 'orchestrator.task.started',
  PlanningStarted: 'orchestrator.planning.started',
  PlanningCompleted: 'orchestrator.planning.completed',
  StepDispatching: 'orchestrator.step.dispatching',
  StepCompleted: 'orchestrator.step.completed',
  StepFailed: 'orchestrator.step.failed',
  TaskCompleted: 'orchestrator.task.completed',
  TaskFailed: 'orchestrator.task.failed',
  TaskCancelled: 'orchestrator.task.cancelled',
  ToolboxGenerated: 'mcp.toolbox.generated',
  ToolboxExtended: 'mcp.toolbox.extended',
  McpTaskStarted: 'mcp.task.started',
  McpTaskCompleted: 'mcp.task.completed',
  McpTaskFailed: 'mcp.task.failed',
  DelegationStarted: 'a2a.delegation.started',
  DelegationStatus: 'a2a.delegation.status',
  DelegationResult: 'a2a.delegation.result',
  GuardrailViolation: 'orchestrator.guardrail.violation',
  ApprovalRequested: 'orchestrator.approval.requested',
  ApprovalDecided: 'orchestrator.approval.decided',
  ReplayVerdict: 'orchestrator.replay.verdict',
  MemoryRecalled: 'orchestrator.memory.recalled',
} as const;
export type TaskEventName = (typeof TaskEventName)[keyof typeof TaskEventName];

const StepRef = {
  stepId: z.string(),
  index: z.number().int().nonnegative(),
  kind: StepKind,
  target: z.string(),
};

/** Where a delegated step's remote task stands: what its status updates and its result report. */
const RemoteTaskState = {
  stepId: z.string(),
  agent: z.string(),
  state: z.string(),
  remoteTaskId: z.string().optional(),
};

/** Payload schema of each event name. */
export const TaskEventData = {
  [TaskEventName.TaskStarted]: z.object({
    task: z.string(),
    userId: z.string(),
    planner: PlannerKind,
    threadId: z.string().optional(),
    /** The model, when the planner is an LLM. */
    model: z.string().optional(),
    /** A replay or fork of a recorded task (docs/replay.md): of which, and (a fork) from where. */
    run: z.object({ kind: RunKind, of: TaskId, from: ForkPoint.optional() }).optional(),
    /** The agent version it runs, when it names one (docs/agents.md): its version stamp. */
    agent: AgentStamp.optional(),
  }),
  [TaskEventName.PlanningStarted]: z.object({ planner: PlannerKind, iteration: z.number().int() }),
  [TaskEventName.PlanningCompleted]: z.object({
    planner: PlannerKind,
    iteration: z.number().int(),
    plan: z.array(PlanAction),
    usage: TokenUsage.optional(),
    /** What the round decided: run `plan`, answer, or give up. */
    decision: z.enum(['actions', 'final', 'fail']).optional(),
    model: z.string().optional(),
    durationMs: z.number().nonnegative().optional(),
    /** Tool calls of the model that were refused (not offered, invalid arguments) and fed back to it. */
    rejected: z.array(z.object({ tool: z.string(), reason: z.string() })).optional(),
    /** True when the decision was read back from the store after a crash instead of planned again. */
    replayed: z.boolean().optional(),
  }),
  [TaskEventName.StepDispatching]: z.object({ ...StepRef, input: z.unknown() }),
  [TaskEventName.StepCompleted]: z.object({
    ...StepRef,
    output: z.unknown(),
    durationMs: z.number().nonnegative(),
  }),
  [TaskEventName.StepFailed]: z.object({ ...StepRef, error: ErrorBody }),
  [TaskEventName.TaskCompleted]: z.object({
    result: z.string(),
    output: z.unknown().optional(),
    planner: PlannerKind,
    steps: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    usage: TokenUsage.optional(),
  }),
  [TaskEventName.TaskFailed]: z.object({
    error: ErrorBody,
    steps: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    usage: TokenUsage.optional(),
  }),
  [TaskEventName.TaskCancelled]: z.object({
    reason: z.string(),
    steps: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    usage: TokenUsage.optional(),
  }),
  [TaskEventName.ToolboxGenerated]: z.object({
    tools: z.array(z.object({ name: z.string(), provider: z.string() })),
    count: z.number().int().nonnegative(),
    mode: z.enum(['auto', 'custom']),
    cached: z.boolean(),
    /** Tools left out of the planner's first offer, found with search_tools (docs/tools.md). */
    deferred: z.number().int().nonnegative().optional(),
  }),
  /**
   * A search step's results joined the task's offer (docs/tools.md): the tools found, each with its
   * fingerprint, and — a fork onto a changed catalog — those whose definition differs from the one the
   * record found (`now`: today's fingerprint, null when no longer offered).
   */
  [TaskEventName.ToolboxExtended]: z.object({
    stepId: z.string(),
    query: z.string(),
    tools: z.array(z.object({ name: z.string(), fingerprint: z.string() })),
    changed: z
      .array(z.object({ name: z.string(), recorded: z.string(), now: z.string().nullable() }))
      .optional(),
  }),
  [TaskEventName.McpTaskStarted]: z.object({
    stepId: z.string(),
    tool: z.string(),
    input: z.unknown(),
  }),
  [TaskEventName.McpTaskCompleted]: z.object({
    stepId: z.string(),
    tool: z.string(),
    output: z.unknown(),
    durationMs: z.number().nonnegative(),
  }),
  [TaskEventName.McpTaskFailed]: z.object({
    stepId: z.string(),
    tool: z.string(),
    error: ErrorBody,
  }),
  /** A step handed to a remote agent; `transport` says whether it crosses XMPP (SERVICE_MAP) or HTTP. */
  [TaskEventName.DelegationStarted]: z.object({
    stepId: z.string(),
    agent: z.string(),
    message: z.string(),
    transport: AgentTransport,
  }),
  /** A status update of the remote agent's task (A2A TaskState, e.g. TASK_STATE_WORKING). */
  [TaskEventName.DelegationStatus]: z.object({
    ...RemoteTaskState,
    text: z.string().optional(),
    transport: AgentTransport,
  }),
  [TaskEventName.DelegationResult]: z.object({
    ...RemoteTaskState,
    text: z.string(),
    artifacts: z.array(z.record(z.string(), z.unknown())).default([]),
    transport: AgentTransport,
    durationMs: z.number().nonnegative(),
  }),
  /** A guardrail blocked input or output. The blocked text itself is never in an event. */
  [TaskEventName.GuardrailViolation]: z.object({
    stage: z.enum(['input', 'output']),
    rule: z.string(),
    /** The step whose output was blocked (absent for the task's input and the planner's own text). */
    stepId: z.string().optional(),
  }),
  /** The task stopped before a call that needs a person's decision (one event per call). */
  [TaskEventName.ApprovalRequested]: z.object({
    approvalId: z.string().uuid(),
    stepId: z.string(),
    kind: StepKind,
    target: z.string(),
    /** Redacted as every event is. */
    input: z.unknown(),
    argsHash: z.string(),
    reason: z.string(),
    expiresAt: z.string().datetime(),
  }),
  /** A decision, seen by the run that resumed on it (approved, rejected, expired or cancelled). */
  [TaskEventName.ApprovalDecided]: z.object({
    approvalId: z.string().uuid(),
    stepId: z.string(),
    target: z.string(),
    status: z.enum(['approved', 'rejected', 'expired', 'cancelled']),
    decidedBy: z.string().optional(),
    /** True when the approver changed the arguments (the call runs with theirs). */
    edited: z.boolean(),
    comment: z.string().optional(),
  }),
  /**
   * A replay's verdict, just before its terminal event: identical to its record (the same decisions,
   * steps and outcome; times and ids are not compared), or where it first diverged.
   */
  /**
   * What long-term memory recalled for the task before its first round (docs/memory.md): which items
   * (ids, namespaces, how well and how they matched), not what they say — the run record keeps that.
   */
  [TaskEventName.MemoryRecalled]: z.object({
    count: z.number().int().nonnegative(),
    items: z.array(
      z.object({
        id: z.string(),
        namespace: MemoryNamespace,
        score: z.number(),
        matchedBy: z.enum(['meaning', 'words']).optional(),
      }),
    ),
  }),
  [TaskEventName.ReplayVerdict]: ReplayVerdict,
} satisfies Record<TaskEventName, z.ZodType>;

export const TERMINAL_TASK_EVENTS: readonly TaskEventName[] = [
  TaskEventName.TaskCompleted,
  TaskEventName.TaskFailed,
  TaskEventName.TaskCancelled,
];

const envelope = {
  taskId: TaskId,
  /** Per-task sequence number, 1-based and gap-free: the SSE `id`, resumable with `Last-Event-ID`. */
  seq: z.number().int().positive(),
  at: z.string().datetime(),
  source: z.string(),
  /** A short human-readable line (never holds secrets or blocked text). */
  message: z.string().optional(),
  /** The agent version the task runs, on each of its events when it runs one (docs/agents.md). */
  agentVersion: AgentVersionRef.optional(),
};

type EventVariant<N extends TaskEventName> = z.ZodObject<{
  name: z.ZodLiteral<N>;
  data: (typeof TaskEventData)[N];
  taskId: typeof TaskId;
  seq: z.ZodNumber;
  at: z.ZodString;
  source: z.ZodString;
  message: z.ZodOptional<z.ZodString>;
  agentVersion: z.ZodOptional<typeof AgentVersionRef>;
}>;

function variant<N extends TaskEventName>(name: N): EventVariant<N> {
  return z.object({
    ...envelope,
    name: z.literal(name),
    data: TaskEventData[name],
  }) as EventVariant<N>;
}

const names = Object.values(TaskEventName) as [TaskEventName, ...TaskEventName[]];

export type TaskEvent = { [N in TaskEventName]: z.infer<EventVariant<N>> }[TaskEventName];

/** A task event as published on `sb.evt.task.<taskId>.<name>` and streamed to clients. */
export const TaskEvent = z.discriminatedUnion(
  'name',
  names.map((n) => variant(n)) as unknown as [
    EventVariant<TaskEventName>,
    ...EventVariant<TaskEventName>[],
  ],
) as unknown as z.ZodType<TaskEvent>;
export type TaskEventOf<N extends TaskEventName> = Extract<TaskEvent, { name: N }>;
export type TaskEventPayload<N extends TaskEventName> = z.infer<(typeof TaskEventData)[N]>;

export const isTerminalTaskEvent = (e: Pick<TaskEvent, 'name'>): boolean =>
  TERMINAL_TASK_EVENTS.includes(e.name);

/** Longest string any event schema accepts everywhere (ids are capped at 64). */
const LAST_RESORT_STRING_MAX = 64;

/**
 * A valid version of `event`, whose data broke its schema (a string over its limit, a character jsonb
 * cannot hold): the failing strings are cut to their limit and scrubbed, failing lists cut; if that
 * is not enough, every string of the data is cut to 64 characters. The event keeps its name and seq —
 * clients release events strictly in seq order, so a seq must never stay empty. Undefined only for data
 * of the wrong shape altogether (a programming error).
 */
export function fitTaskEvent(event: TaskEvent): TaskEvent | undefined {
  let candidate: unknown = scrubJson(event);
  for (let round = 0; round < 3; round++) {
    const parsed = TaskEvent.safeParse(candidate);
    if (parsed.success) return parsed.data;
    candidate = cutAt(candidate, parsed.error.issues);
  }
  const { data, message, ...rest } = candidate as TaskEvent;
  const last = TaskEvent.safeParse({
    ...rest,
    ...(message !== undefined ? { message: cut(message, 200) } : {}),
    data: cutStrings(data, LAST_RESORT_STRING_MAX),
  });
  return last.success ? last.data : undefined;
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

function cutStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return cut(value, max);
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, max));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutStrings(v, max)]));
  }
  return value;
}

/** A copy of `root` with each value an issue reports as too long cut to the issue's maximum. */
function cutAt(root: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy: unknown = structuredClone(root);
  for (const issue of issues) {
    if (issue.code !== 'too_big' || issue.path.length === 0) continue;
    const max = Number(issue.maximum);
    const key = issue.path[issue.path.length - 1] as PropertyKey;
    let parent: unknown = copy;
    for (const k of issue.path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown>)?.[k];
    if (!parent || typeof parent !== 'object') continue;
    const holder = parent as Record<PropertyKey, unknown>;
    const value = holder[key];
    if (typeof value === 'string') holder[key] = cut(value, max);
    else if (Array.isArray(value)) holder[key] = value.slice(0, max);
  }
  return copy;
}
