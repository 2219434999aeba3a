import {
  type Client,
  isInputRequiredResult,
  withInputRequired,
} from '@modelcontextprotocol/client';
import { DomainError, type Tools } from '@switchboard/contracts';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { inputResponsesOf, questionError } from './mcp-question.js';

/** The MCP extension under which a 2026-07-28 server may turn a call into a task it runs on. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** Bounds on a server's `pollInterval` hint: not hammered, not left waiting for long. */
const POLL_MIN_MS = 50;
const POLL_MAX_MS = 2_000;

const AnyResult = z.any();

/** An MCP task as `tools/call` (under `task`) and `tasks/get` show it; the fields we use. */
const UpstreamTask = z.object({
  taskId: z.string().min(1).max(256),
  status: z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']),
  statusMessage: z.string().optional(),
  pollInterval: z.number().optional(),
  inputRequests: z.record(z.string(), z.unknown()).optional(),
  result: z.unknown().optional(),
});
type UpstreamTask = z.infer<typeof UpstreamTask>;

export interface CallRequest {
  server: string;
  tool: string;
  args: Record<string, unknown>;
  signal: AbortSignal;
  timeoutMs: number;
  /** A person's answer to the question the server asked on an earlier call. */
  answer?: Tools.ToolCallAnswer | undefined;
}

/**
 * One `tools/call` on a connected client, in either revision, to its end: a 2026-07-28 server's
 * `input_required` is not fulfilled here (nobody here may answer it) but thrown as the question a
 * person answers (`questionError`); called again with that answer, the call carries it
 * (`inputResponses` and the server's `requestState` unchanged: the multi-round-trip pattern). A call
 * the server turned into an MCP task is followed with `tasks/get` until it ends, answered with
 * `tasks/update` when it waits for input, and cancelled with `tasks/cancel` when the call is aborted
 * (a timeout, the Switchboard task's cancellation). Returns the raw `CallToolResult` (untrusted).
 */
export async function callUpstream(client: Client, req: CallRequest): Promise<unknown> {
  const options = { signal: req.signal, timeout: req.timeoutMs + 1_000 };
  const { answer } = req;
  if (answer?.upstreamTaskId) {
    await client.request(
      {
        method: 'tasks/update',
        params: { taskId: answer.upstreamTaskId, inputResponses: inputResponsesOf(answer) },
      } as never,
      AnyResult,
      options,
    );
    return follow(client, req, { taskId: answer.upstreamTaskId, status: 'working' });
  }
  const params = {
    name: req.tool,
    arguments: req.args,
    ...(answer
      ? {
          inputResponses: inputResponsesOf(answer),
          ...(answer.requestState !== undefined ? { requestState: answer.requestState } : {}),
        }
      : {}),
  };
  // The runner's own timeout fires first; the SDK's is only a backstop.
  const result: unknown = await client.request(
    { method: 'tools/call', params } as never,
    withInputRequired(AnyResult),
    { ...options, allowInputRequired: true },
  );
  if (isInputRequiredResult(result)) throw questionError(req.tool, req.server, result);
  const task = taskOf(result);
  return task ? follow(client, req, task) : result;
}

/** The task a `tools/call` result stands for, when the server made the call one that goes on. */
function taskOf(result: unknown): UpstreamTask | undefined {
  const raw = (result as { task?: unknown } | null)?.task;
  if (raw === undefined) return undefined;
  const task = UpstreamTask.safeParse(raw);
  if (!task.success) throw invalid('the task of its result', task.error);
  return task.data;
}

/** Polls the task until it ends; cancels it upstream when the call is aborted meanwhile. */
async function follow(client: Client, req: CallRequest, first: UpstreamTask): Promise<unknown> {
  let task = first;
  try {
    for (;;) {
      const ended = await outcome(client, req, task);
      if (ended !== undefined) return ended;
      const wait = Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, task.pollInterval ?? POLL_MIN_MS));
      await delay(wait, undefined, { signal: req.signal });
      const got = UpstreamTask.safeParse(
        await client.request(
          { method: 'tasks/get', params: { taskId: task.taskId } } as never,
          AnyResult,
          { signal: req.signal, timeout: req.timeoutMs },
        ),
      );
      if (!got.success) throw invalid('tasks/get', got.error);
      task = got.data;
    }
  } catch (e) {
    if (req.signal.aborted) {
      // Not awaited by the caller's outcome: the call is over for us either way.
      void client
        .request({ method: 'tasks/cancel', params: { taskId: task.taskId } } as never, AnyResult, {
          timeout: 5_000,
        })
        .catch(() => undefined);
    }
    throw e;
  }
}

/** The call's result once the task ended (undefined while it works); its end as an error otherwise. */
async function outcome(client: Client, req: CallRequest, task: UpstreamTask): Promise<unknown> {
  switch (task.status) {
    case 'working':
      return undefined;
    case 'completed':
      return task.result !== undefined
        ? task.result
        : client.request(
            { method: 'tasks/result', params: { taskId: task.taskId } } as never,
            AnyResult,
            { signal: req.signal, timeout: req.timeoutMs },
          );
    case 'input_required':
      throw questionError(req.tool, req.server, {
        inputRequests: task.inputRequests,
        upstreamTaskId: task.taskId,
      });
    case 'failed':
    case 'cancelled':
      throw new DomainError(
        'UPSTREAM_ERROR',
        `${req.tool}: the MCP server's task ${task.taskId} ${task.status}${task.statusMessage ? `: ${task.statusMessage.slice(0, 500)}` : ''}`,
        { details: { upstreamTaskId: task.taskId, status: task.status } },
      );
  }
}

function invalid(what: string, error: z.ZodError): DomainError {
  const issue = error.issues[0];
  return new DomainError(
    'UPSTREAM_ERROR',
    `the MCP server answered an invalid ${what} (${issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
  );
}
