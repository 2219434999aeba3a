import {
  type CallToolResult,
  createMcpHandler,
  inputRequired,
  type InputRequiredResult,
  ProtocolError,
  Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { GeneratedTool } from './generated-tools.js';

const TASKS = 'io.modelcontextprotocol/tasks';

/** What the server did, for tests to assert (each tool's runs, the answers it got, its tasks). */
export interface ModernMcpLog {
  /** Every `tools/call` received: the tool, and the answers it carried (`inputResponses`). */
  calls: { tool: string; args: Record<string, unknown>; responses?: Record<string, unknown> }[];
  /** The deployments that ran (`deploy`, once confirmed): the environment and the note given. */
  deployed: { env: string; note?: string }[];
  /** Tasks cancelled with `tasks/cancel`. */
  cancelled: string[];
}

/** A real MCP server of revision 2026-07-28 only (the official v2 server package), over HTTP. */
export interface ModernMcpServer {
  /** `http://127.0.0.1:<port>/mcp` */
  url: string;
  log: ModernMcpLog;
  /** Adds the tool `extra` and tells listening clients (`notifications/tools/list_changed`). */
  addExtraTool(): void;
  close(): Promise<void>;
}

interface RunningTask {
  status: 'working' | 'completed' | 'cancelled';
  createdAt: string;
  result?: CallToolResult;
}

const Echo = z.object({ text: z.string() });
const Deploy = z.object({ env: z.string() });
const Job = z.object({ name: z.string() });
const Confirm = z.object({ confirm: z.boolean(), note: z.string().optional() });
const TaskRef = z.object({ taskId: z.string() }).passthrough();

const TOOLS = [
  {
    name: 'echo',
    description: 'Echoes its text.',
    inputSchema: {
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    },
  },
  {
    name: 'deploy',
    description: 'Deploys to an environment, after the user confirms (input_required).',
    inputSchema: { type: 'object', properties: { env: { type: 'string' } }, required: ['env'] },
  },
  {
    name: 'long_job',
    description: 'A job that runs on as an MCP task (for clients with the tasks extension).',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  },
];

const EXTRA = {
  name: 'extra',
  description: 'Appears when the test adds it.',
  inputSchema: { type: 'object', properties: {} },
};

/**
 * Starts an external MCP server that speaks only 2026-07-28 (legacy requests are refused), built on
 * `@modelcontextprotocol/server` v2 as a user's server would be: `echo` answers at once; `deploy` asks
 * for a confirmation first (`input_required`, an elicitation form `{confirm, note?}`, with the
 * environment in its `requestState`) and deploys once it gets `confirm: true` back; `long_job` becomes
 * an MCP task (tasks extension) that stays `working` until cancelled — or completes when its name
 * is `quick`; `extra` appears when the test adds it, announced on `subscriptions/listen` streams.
 */
export async function startModernMcpServer(
  options: {
    /** More tools to list (e.g. generatedTools(500)): each answers `{ tool, args }` when called. */
    tools?: readonly GeneratedTool[];
  } = {},
): Promise<ModernMcpServer> {
  const log: ModernMcpLog = { calls: [], deployed: [], cancelled: [] };
  const tasks = new Map<string, RunningTask>();
  const listed = { extra: false, more: options.tools ?? [] };
  const handler = createMcpHandler(() => serverOf(log, tasks, listed), { legacy: 'reject' });
  const http: HttpServer = createServer((req, res) => {
    void (async () => {
      const response = await handler.fetch(await webRequestOf(req));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return res.end();
      await pipeline(Readable.fromWeb(response.body as never), res).catch(() => undefined);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    log,
    addExtraTool: () => {
      listed.extra = true;
      handler.notify.toolsChanged();
    },
    close: async () => {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function serverOf(
  log: ModernMcpLog,
  tasks: Map<string, RunningTask>,
  listed: { extra: boolean; more: readonly GeneratedTool[] },
): Server {
  const server = new Server(
    { name: 'modern-test-server', version: '2.0.0' },
    { capabilities: { tools: { listChanged: true }, extensions: { [TASKS]: {} } } },
  );
  server.setRequestHandler('tools/list', () => ({
    tools: [...TOOLS, ...(listed.extra ? [EXTRA] : []), ...listed.more] as never,
  }));
  server.setRequestHandler('tools/call', (request, ctx) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const responses = ctx.mcpReq.inputResponses as Record<string, unknown> | undefined;
    log.calls.push({ tool: name, args, ...(responses ? { responses } : {}) });
    if (name === 'extra') return text('extra', {});
    if (listed.more.some((t) => t.name === name)) return text(`${name} done`, { tool: name, args });
    if (name === 'echo') return text(`echo: ${Echo.parse(args).text}`, Echo.parse(args));
    if (name === 'deploy') return deploy(log, Deploy.parse(args).env, ctx);
    if (name === 'long_job') {
      const wantsTask = server.getClientCapabilities()?.extensions?.[TASKS] !== undefined;
      return longJob(tasks, Job.parse(args).name, wantsTask);
    }
    throw new ProtocolError(-32602, `unknown tool ${name}`);
  });
  server.setRequestHandler('tasks/get', { params: TaskRef }, (p) => taskView(tasks, p.taskId));
  server.setRequestHandler('tasks/cancel', { params: TaskRef }, (p) => {
    const task = tasks.get(p.taskId);
    if (task && task.status === 'working') {
      task.status = 'cancelled';
      log.cancelled.push(p.taskId);
    }
    return taskView(tasks, p.taskId);
  });
  return server;
}

function deploy(
  log: ModernMcpLog,
  env: string,
  ctx: ServerContext,
): CallToolResult | InputRequiredResult {
  const responses = ctx.mcpReq.inputResponses as Record<string, unknown> | undefined;
  const given = responses?.['confirm'] as { action?: string; content?: unknown } | undefined;
  if (!given)
    return inputRequired({
      inputRequests: {
        confirm: inputRequired.elicit({
          message: `Deploy to ${env}?`,
          requestedSchema: {
            type: 'object',
            properties: {
              confirm: { type: 'boolean', title: 'Deploy?' },
              note: { type: 'string', title: 'A note for the deploy log' },
            },
            required: ['confirm'],
          } as never,
        }),
      },
      requestState: JSON.stringify({ env }),
    });
  // The state comes back through the client: checked, as the spec says a server must.
  const state = JSON.parse(ctx.mcpReq.requestState<string>() ?? '{}') as { env?: string };
  if (state.env !== env) return text('the requestState does not match this call', {}, true);
  const answer = Confirm.safeParse(given.content);
  if (given.action !== 'accept' || !answer.success || !answer.data.confirm)
    return text(`deploy to ${env} not confirmed`, {}, true);
  log.deployed.push({ env, ...(answer.data.note ? { note: answer.data.note } : {}) });
  return text(`deployed to ${env}`, { env, deployed: true });
}

function longJob(
  tasks: Map<string, RunningTask>,
  name: string,
  wantsTask: boolean,
): CallToolResult {
  if (!wantsTask) return text(`job ${name} done`, { name });
  const taskId = randomUUID();
  const task: RunningTask = { status: 'working', createdAt: new Date().toISOString() };
  if (name === 'quick') {
    task.status = 'completed';
    task.result = text(`job ${name} done`, { name });
  }
  tasks.set(taskId, task);
  return {
    content: [{ type: 'text', text: `job ${name} runs as task ${taskId}` }],
    task: taskView(tasks, taskId),
    _meta: { 'io.modelcontextprotocol/related-task': { taskId } },
  } as CallToolResult;
}

function taskView(tasks: Map<string, RunningTask>, taskId: string): never {
  const task = tasks.get(taskId);
  if (!task) throw new ProtocolError(-32602, `unknown task ${taskId}`);
  return {
    taskId,
    status: task.status,
    createdAt: task.createdAt,
    lastUpdatedAt: new Date().toISOString(),
    pollInterval: 50,
    ...(task.result ? { result: task.result } : {}),
  } as never;
}

function text(t: string, structured: Record<string, unknown>, isError = false): CallToolResult {
  return {
    content: [{ type: 'text', text: t }],
    ...(isError ? { isError: true } : { structuredContent: structured }),
  };
}

async function webRequestOf(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === 'string') headers.set(k, v);
    else if (Array.isArray(v)) for (const x of v) headers.append(k, x);
  const body = Buffer.concat(chunks);
  return new Request(new URL(req.url ?? '/mcp', 'http://127.0.0.1'), {
    method: req.method ?? 'POST',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
}
