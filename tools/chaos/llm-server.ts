import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatRequest {
  model?: string;
  stream?: boolean;
  messages: { role: string; content?: unknown; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
}

interface Reply {
  content?: string;
  call?: { name: string; arguments: Record<string, unknown> };
}

export interface ChaosLlm {
  baseUrl: string;
  /** While on, every streamed answer sends its first chunks and then nothing more, ever. */
  stall(on: boolean): void;
  readonly answered: number;
  readonly stalled: number;
  stop(): Promise<void>;
}

/**
 * An OpenAI-compatible chat completions server that plans the load's tasks as a model would (the
 * demo task: calculator, then notes.add; a delegation: the agent, then notes.add) and can stall: its
 * streamed answers then stop mid-way with the connection left open, as an overloaded model server does.
 */
export async function startChaosLlm(): Promise<ChaosLlm> {
  let stalling = false;
  let answered = 0;
  let stalled = 0;
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"not found"}}');
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
    const reply = plan(body);
    const model = body.model ?? 'chaos-model';
    if (!body.stream) {
      answered++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(completion(model, reply)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({ id: 'chatcmpl-chaos', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
      );
    send({ role: 'assistant', content: '' });
    if (stalling) {
      // A first piece, then silence: the answer never completes and the connection stays open.
      stalled++;
      send({ content: 'Let me' });
      open.add(res);
      res.once('close', () => open.delete(res));
      return;
    }
    if (reply.content) send({ content: reply.content });
    if (reply.call)
      send({
        tool_calls: [
          {
            index: 0,
            id: `call_${answered}`,
            type: 'function',
            function: { name: reply.call.name, arguments: JSON.stringify(reply.call.arguments) },
          },
        ],
      });
    send({}, reply.call ? 'tool_calls' : 'stop');
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-chaos', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
    answered++;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    stall: (on) => (stalling = on),
    get answered() {
      return answered;
    },
    get stalled() {
      return stalled;
    },
    stop: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The next move for the conversation so far: the task's first action, then the note, then the answer. */
export function plan(body: ChatRequest): Reply {
  const task = String(body.messages.find((m) => m.role === 'user')?.content ?? '');
  const results = body.messages.filter((m) => m.role === 'tool').map((m) => observation(m.content));
  const offered = new Set((body.tools ?? []).map((t) => t.function.name));
  const name = (wanted: string) =>
    [...offered].find((n) => n === wanted || n === wanted.replace('.', '__')) ?? wanted;
  if (results.length === 0) {
    const agent = /\b(researcher|writer)\b/.exec(task)?.[1];
    if (agent) {
      const message = task.replace(/^.*?\b(?:about|draft)\s+/, '').replace(/, then .*$/, '');
      return { call: { name: `delegate__${agent}`, arguments: { message } } };
    }
    const expression = /what is (.+?), then/.exec(task)?.[1] ?? '1 + 1';
    return { call: { name: name('calculator'), arguments: { expression } } };
  }
  if (results.length === 1) {
    const first = results[0];
    return { call: { name: name('notes.add'), arguments: { content: first ?? '' } } };
  }
  return { content: `Done: ${results[0] ?? ''}`.slice(0, 200) };
}

/** The useful part of a tool result as fed back: a calculator's result, or an agent's reply text. */
function observation(content: unknown): string | undefined {
  try {
    const o = JSON.parse(String(content)) as { output?: { result?: unknown; text?: unknown } };
    const out = o.output;
    if (out?.result !== undefined) return String(out.result);
    if (typeof out?.text === 'string') return out.text;
    return undefined;
  } catch {
    return undefined;
  }
}

function completion(model: string, reply: Reply): Record<string, unknown> {
  return {
    id: 'chatcmpl-chaos',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [
      {
        index: 0,
        finish_reason: reply.call ? 'tool_calls' : 'stop',
        message: {
          role: 'assistant',
          content: reply.content ?? null,
          ...(reply.call
            ? {
                tool_calls: [
                  {
                    id: 'call_0',
                    type: 'function',
                    function: {
                      name: reply.call.name,
                      arguments: JSON.stringify(reply.call.arguments),
                    },
                  },
                ],
              }
            : {}),
        },
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  };
}
