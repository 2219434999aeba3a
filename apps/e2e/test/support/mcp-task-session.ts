import type { Client, FetchLike } from '@modelcontextprotocol/client';
import {
  type ApplicationInputCallbacks,
  createApplicationInputHandler,
  createTaskSessionFromClient,
  type JsonRpcResponse,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const REVISION = '2026-07-28';

export interface TaskSessionOptions {
  /** The gateway's `/mcp`. */
  url: string;
  /** Who calls (dev auth's `x-user-id`, …), as the client's own requests say. */
  headers: Record<string, string>;
  /** How the session's requests reach the gateway (default: fetch). */
  fetch?: FetchLike;
  /** Answers a task's form (`elicitation/create` in its `inputRequests`), as a client's user would. */
  elicit?: ApplicationInputCallbacks['elicitation'];
}

/**
 * A session of the tasks extension's official requester (`@modelcontextprotocol/ext-tasks`) over a
 * connected v2 client: its task-aware `callTool` takes a call answered with a task (`resultType:
 * "task"`) and follows it — `tasks/get` at the task's `pollIntervalMs`, `tasks/update` with what
 * `onInputRequest` answers, `tasks/cancel` — checking every answer against the extension's schemas.
 * The v2 client (2.4.0) refuses a `resultType: "task"` answer itself (`UNSUPPORTED_RESULT_TYPE`), so,
 * as the package requires for a 2026-07-28 server, these requests go out through `rawDispatch`: the
 * package's own framing (the `_meta` envelope) posted as JSON-RPC with the revision's headers.
 */
export function taskSession(client: Client, opts: TaskSessionOptions): TaskEnabledSession {
  const post = opts.fetch ?? fetch;
  let id = 0;
  const rawDispatch = async (request: unknown, options?: { signal?: AbortSignal }) => {
    const { method, params } = request as {
      method: string;
      params?: { name?: string; taskId?: string };
    };
    const name = params?.name ?? params?.taskId;
    const res = await post(opts.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': REVISION,
        'mcp-method': method,
        ...(name ? { 'mcp-name': name } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    const body = rpcMessage(await res.text());
    return (
      body.error ? { kind: 'error', error: body.error } : { kind: 'result', result: body.result }
    ) as JsonRpcResponse;
  };
  return createTaskSessionFromClient(client, {
    endpointId: opts.url,
    rawDispatch,
    v2RequestFraming: {
      protocolVersion: REVISION,
      clientInfo: { name: 'e2e-tasks', version: '1.0.0' },
      clientCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
    },
    ...(opts.elicit ? { onInputRequest: inputHandler(opts.elicit) } : {}),
    // Not the package's own tools/list: a 2026-07-28 task needs no tool declaration, and under jest's
    // VM modules the v2 client's answers (parsed by the outer realm's fetch) fail its plain-JSON check.
    tools: { currentTool: () => undefined },
  });
}

/** Only forms are asked of this client (it declares neither sampling nor roots). */
function inputHandler(elicit: ApplicationInputCallbacks['elicitation']) {
  const unasked = () => Promise.reject(new Error('not asked of this client'));
  return createApplicationInputHandler({ elicitation: elicit, sampling: unasked, roots: unasked });
}

/** The JSON-RPC response of a POST: the JSON body, or the last message of an event stream. */
export function rpcMessage(text: string): {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
} {
  if (!text.trimStart().startsWith('{')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim());
    return JSON.parse(data[data.length - 1] ?? '{}');
  }
  return JSON.parse(text);
}
