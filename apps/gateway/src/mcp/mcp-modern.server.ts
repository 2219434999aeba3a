import {
  type CallToolRequest,
  type CallToolResult,
  type ClientCapabilities,
  inputRequired,
  type InputRequiredResult,
  type McpRequestContext,
  ProtocolError as SdkProtocolError,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { type Actor, Approvals, type Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import {
  elicitationMessage,
  META_APPROVAL,
  type WaitingCall,
  waitingResult,
} from './mcp-approval.text.js';
import { callerRefusal, type ElicitAnswer, type McpApprovals } from './mcp-approvals.js';
import { McpTaskingServer } from './mcp-tasking.server.js';
import {
  type CreateTaskResult,
  createTaskResult,
  decisionRequest,
  DECISION_KEY,
  type McpTasks,
  pendingDecision,
  takesTasks,
  TASKS_EXTENSION,
  TaskRef,
  TaskUpdate,
  toMcpTask,
} from './mcp-tasks.js';
import { callRequestOf, listMcpTools, offeredCall, routeCall } from './mcp-tool-calls.js';
import { ProtocolError, toCallFailure } from './mcp.translator.js';
import type { MemoryResources } from './memory-resources.js';
import type { PlatformTools } from './platform-tools.js';
import { RUN_TASK_AT_ONCE_MS } from './run-task.tool.js';

/** Who is calling, as the gateway authenticated the request (handed to the SDK as `authInfo.extra`). */
export interface ModernCaller {
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
}

/**
 * The list results' cache hints (2026-07-28), honest about what they depend on: the list is the
 * caller's own (role, grants, tenant, constraints: `private`), and a grant given or taken, a tool's
 * policy or the registry changing take effect on the very next request — this endpoint has no
 * stream to tell a client that cached it, so nothing may be cached (`ttlMs: 0`).
 */
export const LIST_CACHE = { ttlMs: 0, cacheScope: 'private' } as const;

/** What a caller echoes back to answer a waiting call (`requestState`); attacker-controlled input. */
const ResumeState = z.object({
  taskId: z.string().uuid(),
  approvalId: Approvals.ApprovalId,
  seq: z.number().int().nonnegative(),
});
type ResumeState = z.infer<typeof ResumeState>;

export interface ModernDeps {
  tools: PlatformTools;
  approvals: McpApprovals;
  tasks: McpTasks;
  memory: MemoryResources;
  version: string;
}

/**
 * One 2026-07-28 request's server (the SDK builds one per request; nothing outlives it): the
 * caller's tools, calls — a call that waits for a decision answers `input_required` or becomes an MCP
 * task — and the tasks extension. For `server/discover` its instructions name the caller's tools.
 */
export async function modernServer(ctx: McpRequestContext, deps: ModernDeps): Promise<Server> {
  const caller = callerOf(ctx);
  const discover = ctx.requestInfo?.headers.get('mcp-method') === 'server/discover';
  const names = discover ? await toolNames(deps.tools, caller) : undefined;
  const server = new McpTaskingServer(
    { name: 'switchboard', title: 'Switchboard', version: deps.version },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: {},
        extensions: { [TASKS_EXTENSION]: {} },
      },
      instructions: instructionsOf(names),
      cacheHints: {
        'tools/list': LIST_CACHE,
        'server/discover': LIST_CACHE,
        'resources/list': LIST_CACHE,
        'resources/templates/list': LIST_CACHE,
        'resources/read': LIST_CACHE,
      },
    },
  );
  server.setRequestHandler('tools/list', async () => {
    try {
      return { tools: (await listMcpTools(deps.tools, caller)) as never, ...LIST_CACHE };
    } catch (e) {
      throw sdkError(e);
    }
  });
  server.setRequestHandler(
    'tools/call',
    (request, c) => guarded(() => call(deps, server, caller, request, c)) as never,
  );
  // Memory as resources (memory-resources.ts): mcp-tools decides what the caller may read.
  server.setRequestHandler(
    'resources/list',
    () =>
      ({
        ...deps.memory.list(caller.actor),
        ...LIST_CACHE,
      }) as never,
  );
  server.setRequestHandler(
    'resources/templates/list',
    () =>
      ({
        ...deps.memory.templates(),
        ...LIST_CACHE,
      }) as never,
  );
  server.setRequestHandler('resources/read', (r) =>
    guarded(() => deps.memory.read(caller.actor, r.params.uri)),
  );
  server.setRequestHandler('tasks/get', { params: TaskRef }, (p) =>
    guarded(async () => (await deps.tasks.get(caller.actor, p.taskId)) as never),
  );
  // The SDK lifts `inputResponses` out of the params (as on a retried call): read there too.
  server.setRequestHandler('tasks/update', { params: TaskUpdate }, (p, c) =>
    guarded(async () => {
      const responses = p.inputResponses ?? c.mcpReq.inputResponses ?? {};
      return (await deps.tasks.update(caller.actor, p.taskId, responses)) as never;
    }),
  );
  server.setRequestHandler('tasks/cancel', { params: TaskRef }, (p) =>
    guarded(async () => (await deps.tasks.cancel(caller.actor, p.taskId)) as never),
  );
  return server;
}

async function toolNames(
  tools: PlatformTools,
  caller: ModernCaller,
): Promise<string[] | undefined> {
  try {
    return (await tools.manifest(caller.actor, caller.constraints)).tools.map((t) => t.name);
  } catch {
    return undefined; // discovery still answers; tools/list says why
  }
}

function instructionsOf(names: string[] | undefined): string {
  const base =
    "Switchboard, the multi-agent platform: its tools you may use; calls run with your identity and permissions. Your long-term memory is a resource (switchboard://memory/{kind}/{key}). A call that needs a person's decision answers input_required, or becomes a task (extension io.modelcontextprotocol/tasks) whose id is the Switchboard task's.";
  return names ? `${base}\nYour tools: ${names.join(', ') || '(none)'}.` : base;
}

/** The answers of a 2026-07-28 tools/call. */
type CallAnswer = CallToolResult | InputRequiredResult | CreateTaskResult;

/** A tools/call of 2026-07-28: direct, or a one-call task that may wait for a decision. */
async function call(
  deps: ModernDeps,
  server: Server,
  caller: ModernCaller,
  request: CallToolRequest,
  c: ServerContext,
): Promise<CallAnswer> {
  const { actor } = caller;
  const asked = callRequestOf(request.params);
  const state = c.mcpReq.requestState<string>();
  const resume = state === undefined ? undefined : resumeStateOf(state);
  try {
    const toolCall = await offeredCall(deps.tools, caller, asked);
    const { offered } = toolCall;
    const caps = server.getClientCapabilities();
    if (resume && offered) {
      const result = await deps.approvals.resume({
        actor,
        ...resume,
        tool: offered,
        answer: answerOf(c.mcpReq.inputResponses),
        signal: c.mcpReq.signal,
      });
      return goingOn(result as CallToolResult, caps);
    }
    const route = await routeCall(deps.tools, caller, toolCall);
    if ('answer' in route) return route.answer as never;
    const { gated } = route;
    const begun = await deps.approvals.begin({
      ...gated,
      // A client that follows tasks gets one unless the task ends at once (goingOn).
      waitMs: gated.task && takesTasks(caps) ? RUN_TASK_AT_ONCE_MS : undefined,
      signal: c.mcpReq.signal,
    });
    if (begun.kind === 'done') return goingOn(begun.result as CallToolResult, caps);
    // The task waits for its approval on its own; this request answers now.
    begun.session.close();
    return waitingAnswer(begun.waiting, begun.seq, actor, caps);
  } catch (e) {
    return toCallFailure(asked.name, e) as CallToolResult;
  }
}

/**
 * A call that waits for a decision: `input_required` when this client can ask its user and the
 * caller may decide; an MCP task when the client took the tasks extension (a task result — answered
 * later with `tasks/update`, by the caller, or followed with `tasks/get` while an approver elsewhere
 * decides); otherwise the text saying how to approve it, as on 2025-11-25.
 */
export function waitingAnswer(
  w: WaitingCall,
  seq: number,
  actor: Actor,
  caps: ClientCapabilities | undefined,
): CallAnswer {
  const refusal = callerRefusal(actor, w);
  if (caps?.elicitation !== undefined && !refusal) {
    const state: ResumeState = { taskId: w.taskId, approvalId: w.approval.approvalId, seq };
    return inputRequired({
      inputRequests: {
        [DECISION_KEY]: decisionRequest(w.approval, elicitationMessage(w)) as never,
      },
      requestState: JSON.stringify(state),
    });
  }
  if (!takesTasks(caps))
    return waitingResult(w, refusal ? `You may not decide it yourself: ${refusal}.` : undefined);
  const now = new Date().toISOString();
  const pending = pendingDecision(w.approval, refusal, w.policy);
  return createTaskResult(
    toMcpTask(
      { taskId: w.taskId, status: 'waiting_approval', createdAt: now, updatedAt: now },
      pending,
    ),
  );
}

/**
 * A call whose task goes on past the wait (RESULT_TIMEOUT_MS: a slow tool, a long approved call) is,
 * for a client that took the tasks extension, that task — followed with `tasks/get`.
 */
export function goingOn(
  result: CallToolResult,
  caps: ClientCapabilities | undefined,
): CallToolResult | CreateTaskResult {
  const meta = result._meta?.[META_APPROVAL] as
    { taskId?: string; approvalId?: string; status?: string } | undefined;
  if (meta?.status !== 'running' || !meta.taskId || !takesTasks(caps)) return result;
  const now = new Date().toISOString();
  const task = toMcpTask({
    taskId: meta.taskId,
    status: 'running',
    createdAt: now,
    updatedAt: now,
  });
  return createTaskResult({
    ...task,
    _meta: { ...task._meta, [META_APPROVAL]: meta },
  });
}

export function resumeStateOf(state: string): ResumeState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(state);
  } catch {
    parsed = undefined;
  }
  const result = ResumeState.safeParse(parsed);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProtocolError(
    -32602,
    `requestState${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'} (echo the requestState of the input_required result unchanged)`,
  );
}

function answerOf(responses: Record<string, unknown> | undefined): ElicitAnswer | undefined {
  const given = responses?.[DECISION_KEY] as Partial<ElicitAnswer> | undefined;
  if (!given || !['accept', 'decline', 'cancel'].includes(given.action as string)) return undefined;
  return given as ElicitAnswer;
}

function callerOf(ctx: McpRequestContext): ModernCaller {
  const caller = ctx.authInfo?.extra?.['caller'] as ModernCaller | undefined;
  // The gateway sets it on every request before the SDK sees it; its absence is a wiring bug.
  if (!caller) throw new SdkProtocolError(-32603, 'request without an authenticated caller');
  return caller;
}

/** Our protocol errors as the SDK's (which it sends with their code, message and data). */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw sdkError(e);
  }
}

function sdkError(e: unknown): unknown {
  return e instanceof ProtocolError ? new SdkProtocolError(e.code, e.message, e.data) : e;
}
