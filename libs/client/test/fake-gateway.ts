// A scripted stand-in for the gateway, for the client's unit specs: each request takes the next
// answer of a list (a Response, or an Error fetch rejects with), and every request is recorded.

export interface SeenRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

export type Answer =
  | Response
  | Error
  | ((request: SeenRequest, signal: AbortSignal | undefined) => Response | Promise<Response>);

export interface FakeGateway {
  fetch: typeof fetch;
  seen: SeenRequest[];
}

export function fakeGateway(answers: Answer[]): FakeGateway {
  const seen: SeenRequest[] = [];
  const fetchFn = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const request: SeenRequest = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    seen.push(request);
    const answer = answers.shift();
    if (answer === undefined)
      throw new Error(`unexpected request ${request.method} ${request.url.pathname}`);
    if (answer instanceof Error) throw answer;
    if (typeof answer === 'function') return answer(request, init.signal ?? undefined);
    return answer;
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** What fetch throws when nothing listens (undici: a TypeError whose cause has the code). */
export const refused = (): Error =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), {
      code: 'ECONNREFUSED',
    }),
  });

/** An SSE frame of a task event, as the gateway writes it. */
export function frame(taskId: string, seq: number, name: string, data: unknown = {}): string {
  const event = { taskId, seq, name, at: new Date(0).toISOString(), source: 'orchestrator', data };
  return `id: ${seq}\nevent: ${name}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * A streamed answer: `chunks` are sent, then the body ends (`end: 'close'`), breaks off (`'error'`:
 * a dropped connection) or stays open (`'open'`, until the request is aborted).
 */
export function sse(
  chunks: string[],
  options: { end?: 'close' | 'error' | 'open'; headers?: Record<string, string> } = {},
): (request: SeenRequest, signal: AbortSignal | undefined) => Response {
  return (_request, signal) => {
    const queue = [...chunks];
    // One chunk a read, then the end: an error would drop chunks still queued (the streams standard).
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = queue.shift();
        if (next !== undefined) controller.enqueue(new TextEncoder().encode(next));
        else if (options.end === 'error') controller.error(new TypeError('terminated'));
        else if (options.end !== 'open') controller.close();
        else
          return new Promise<void>((resolve) => {
            const stop = () => {
              controller.error(signal?.reason as Error);
              resolve();
            };
            if (signal?.aborted) stop();
            else signal?.addEventListener('abort', stop, { once: true });
          });
        return undefined;
      },
    });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', ...options.headers },
    });
  };
}
