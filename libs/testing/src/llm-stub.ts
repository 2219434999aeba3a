import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completions request as the stub received it. */
export interface LlmStubRequest {
  /** 0-based arrival order across the whole stub. */
  index: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: LlmStubRequestBody;
  /** True when the client went away before the stub answered (e.g. the call was aborted). */
  aborted: boolean;
  answered: boolean;
}

export interface LlmStubRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  messages: {
    role: string;
    content?: unknown;
    tool_calls?: { id: string; function: { name: string; arguments: string } }[];
    tool_call_id?: string;
  }[];
  tools?: {
    type: string;
    function: { name: string; description?: string; parameters?: unknown };
  }[];
  [key: string]: unknown;
}

/** What the stub answers. `usage: false` omits usage (as some servers do). */
export interface LlmStubAnswer {
  content?: string | null;
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  usage?: { prompt: number; completion: number } | false;
  finishReason?: string;
  /** Holds the answer until the gate is released (simulates a slow model). */
  hold?: LlmGate;
  /**
   * Streamed requests only: sends the headers and the first chunk, then nothing more, keeping the
   * response open until the client goes away (a model that stalls mid-answer).
   */
  stall?: boolean;
}

export interface LlmStubError {
  status: number;
  message: string;
  /** Extra response headers, e.g. `retry-after-ms`. */
  headers?: Record<string, string>;
  hold?: LlmGate;
}

/**
 * Takes the request and never answers — no status, no headers, no body — until the client goes away
 * (a hung model server). One reply hangs one request: script it n times to hang n requests.
 */
export interface LlmStubHang {
  hang: true;
}

export type LlmStubReply =
  | LlmStubAnswer
  | LlmStubError
  | LlmStubHang
  | ((req: LlmStubRequest) => LlmStubAnswer | LlmStubError | LlmStubHang);

/** Blocks the answers that reference it until released. */
export interface LlmGate {
  /** Resolves once a request is waiting on the gate. */
  readonly reached: Promise<LlmStubRequest>;
  release(): void;
}

export interface LlmScript {
  /** The requests this script answered (or is holding), in order. */
  readonly requests: LlmStubRequest[];
  /** Replies not yet used. */
  readonly remaining: number;
}

export interface LlmStub {
  /** Base URL for OPENAI_BASE_URL (ends in /v1). */
  baseUrl: string;
  requests: LlmStubRequest[];
  /**
   * Answers requests whose task (the last user message) contains `match` (or for which the predicate
   * holds) with `replies`, one per request, in order. A request no script matches, or one that finds
   * its script exhausted, gets HTTP 400 so the test sees it.
   */
  script(match: string | ((req: LlmStubRequest) => boolean), replies: LlmStubReply[]): LlmScript;
  gate(): LlmGate;
  stop(): Promise<void>;
}

/** The task text of a request: its last user message. */
export function lastUserText(req: Pick<LlmStubRequest, 'body'>): string {
  const user = [...req.body.messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}

/** The tool results the request carries (role "tool"), parsed when they are JSON. */
export function toolResults(
  req: Pick<LlmStubRequest, 'body'>,
): { toolCallId: string; content: unknown }[] {
  return req.body.messages
    .filter((m) => m.role === 'tool')
    .map((m) => {
      const text = typeof m.content === 'string' ? m.content : '';
      let content: unknown = text;
      try {
        content = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { toolCallId: m.tool_call_id ?? '', content };
    });
}

/**
 * A scripted OpenAI-compatible chat completions server: a real HTTP server on a free loopback port
 * (POST /v1/chat/completions, plain JSON or `stream: true` as server-sent events). It records every
 * request, answers from per-task scripts, and can hold an answer until a test releases it.
 */
// eslint-disable-next-line max-lines-per-function -- a test stand-in's routes in one place
export async function startLlmStub(): Promise<LlmStub> {
  const requests: LlmStubRequest[] = [];
  const scripts: {
    match: (req: LlmStubRequest) => boolean;
    replies: LlmStubReply[];
    state: { requests: LlmStubRequest[]; remaining: number };
  }[] = [];
  let ids = 0;

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  // eslint-disable-next-line max-lines-per-function -- a test stand-in's routes in one place
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const record: LlmStubRequest = {
      index: requests.length,
      path: req.url,
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as LlmStubRequestBody,
      aborted: false,
      answered: false,
    };
    requests.push(record);
    res.on('close', () => {
      if (!record.answered) record.aborted = true;
    });
    const script = scripts.find((s) => s.match(record));
    let reply: LlmStubReply | undefined = script?.replies.shift();
    if (script) {
      script.state.requests.push(record);
      script.state.remaining = script.replies.length;
    }
    if (typeof reply === 'function') reply = reply(record);
    if (!reply) {
      reply = {
        status: 400,
        message: script
          ? 'llm stub: script exhausted'
          : `llm stub: no script matches "${lastUserText(record).slice(0, 80)}"`,
      };
    }
    // The response stays open; `close` marks the request aborted when the client leaves.
    if ('hang' in reply) return;
    if (reply.hold) {
      (reply.hold as GateImpl).arrive(record);
      await (reply.hold as GateImpl).opened;
    }
    if (record.aborted || res.destroyed) return;
    record.answered = !('stall' in reply && reply.stall && record.body.stream);
    if ('status' in reply) {
      res
        .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify({ error: { message: reply.message, type: 'stub_error' } }));
      return;
    }
    const answer = reply;
    const toolCalls = (answer.toolCalls ?? []).map((c) => ({
      id: c.id ?? `call_${++ids}`,
      type: 'function' as const,
      function: {
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      },
    }));
    const finish = answer.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    const usage =
      answer.usage === false
        ? undefined
        : {
            prompt_tokens: answer.usage?.prompt ?? 100,
            completion_tokens: answer.usage?.completion ?? 20,
            total_tokens: (answer.usage?.prompt ?? 100) + (answer.usage?.completion ?? 20),
          };
    const model = record.body.model ?? 'stub-model';
    const id = `chatcmpl-stub-${record.index}`;
    const created = Math.floor(Date.now() / 1000);
    if (!record.body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              finish_reason: finish,
              message: {
                role: 'assistant',
                content: answer.content ?? null,
                ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
              },
            },
          ],
          ...(usage ? { usage } : {}),
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
      );
    send({ role: 'assistant', content: '' });
    if (answer.stall) {
      send({ content: split(answer.content ?? '…')[0] ?? '…' });
      return; // the response stays open; `close` marks the request aborted when the client leaves
    }
    // Content and arguments arrive in pieces, as real servers send them.
    for (const piece of split(answer.content ?? '')) send({ content: piece });
    toolCalls.forEach((c, index) => {
      send({
        tool_calls: [
          { index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } },
        ],
      });
      for (const piece of split(c.function.arguments))
        send({ tool_calls: [{ index, function: { arguments: piece } }] });
    });
    send({}, finish);
    if (usage && record.body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const gates: GateImpl[] = [];
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script(match, replies) {
      const predicate =
        typeof match === 'string' ? (r: LlmStubRequest) => lastUserText(r).includes(match) : match;
      const state = { requests: [] as LlmStubRequest[], remaining: replies.length };
      scripts.push({ match: predicate, replies: [...replies], state });
      return state;
    },
    gate() {
      const gate = new GateImpl();
      gates.push(gate);
      return gate;
    },
    stop: async () => {
      for (const g of gates) g.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class GateImpl implements LlmGate {
  readonly reached: Promise<LlmStubRequest>;
  readonly opened: Promise<void>;
  private onReach!: (r: LlmStubRequest) => void;
  private onOpen!: () => void;

  constructor() {
    this.reached = new Promise((resolve) => (this.onReach = resolve));
    this.opened = new Promise((resolve) => (this.onOpen = resolve));
  }

  arrive(req: LlmStubRequest): void {
    this.onReach(req);
  }

  release(): void {
    this.onOpen();
  }
}

function split(s: string, size = 7): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
