// The HTTP edge both peers share (plain node:http, so that the frameworks are what differs): the same
// surface as Switchboard's `POST /orchestrate/stream` for the demo — a JSON body `{ "task": "..." }`,
// the user from X-User-Id, one thread/run per task, the framework's events as SSE until completion.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';

/** One task, handed to the framework: it writes SSE frames with `write` and resolves when done. */
export interface PeerTask {
  /** The LangGraph thread id / the Mastra run id (also sent as the X-Task-Id header). */
  taskId: string;
  task: string;
  userId: string;
  /** Aborted when the client goes away before the task has finished. */
  signal: AbortSignal;
  write(frame: string): void;
}

const MAX_BODY = 64 * 1024;
const TaskRequest = z.strictObject({ task: z.string().trim().min(1).max(8_000) });
const UserId = z.string().trim().min(1).max(256);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An SSE frame: `event: <name>` and the JSON data on one `data:` line. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `body: over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'VALIDATION', 'body: not valid JSON');
  }
}

function parseTask(req: IncomingMessage, body: unknown): { task: string; userId: string } {
  const user = UserId.safeParse(req.headers['x-user-id']);
  if (!user.success) throw new HttpError(400, 'VALIDATION', 'x-user-id: a user id is required');
  const parsed = TaskRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys[0] : '');
    throw new HttpError(400, 'VALIDATION', `${field || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return { task: parsed.data.task, userId: user.data };
}

async function orchestrate(
  req: IncomingMessage,
  res: ServerResponse,
  run: (task: PeerTask) => Promise<void>,
): Promise<void> {
  const { task, userId } = parseTask(req, await readJson(req));
  const taskId = randomUUID();
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('client went away'));
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-task-id': taskId,
  });
  try {
    await run({ taskId, task, userId, signal: abort.signal, write: (frame) => res.write(frame) });
  } catch (e) {
    res.write(sseFrame('error', { message: (e as Error).message }));
  }
  res.end();
}

/** Serves `POST /orchestrate/stream` and `GET /health` on host:port; resolves once listening. */
export async function servePeer(opts: {
  host: string;
  port: number;
  run: (task: PeerTask) => Promise<void>;
}): Promise<Server> {
  const server = createServer((req, res) => {
    const route = `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`;
    const handled =
      route === 'POST /orchestrate/stream'
        ? orchestrate(req, res, opts.run)
        : route === 'GET /health'
          ? Promise.resolve(void res.writeHead(200).end('{"status":"ok"}'))
          : Promise.reject(new HttpError(404, 'NOT_FOUND', `no route ${route}`));
    handled.catch((e: unknown) => {
      const error = e instanceof HttpError ? e : new HttpError(500, 'INTERNAL', 'internal error');
      if (!(e instanceof HttpError)) console.error(e);
      if (res.headersSent) return void res.end();
      res
        .writeHead(error.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: error.code, message: error.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host, resolve));
  return server;
}
