import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  createLogger,
  currentTraceIds,
  initTracing,
  Metrics,
  SpanKind,
} from '@switchboard/observability';
import Fastify, { type FastifyInstance } from 'fastify';
import { instrumentHttp } from './http-telemetry.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const exported = new InMemorySpanExporter();
const lines: Record<string, unknown>[] = [];

/** Waits until `n` access lines were written (a line is written when the connection is done). */
async function accessLines(n: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 200 && lines.filter((l) => l['msg'] === 'http request').length < n; i++)
    await new Promise((resolve) => setImmediate(resolve));
  return lines.filter((l) => l['msg'] === 'http request');
}

// A real Fastify listener on loopback with the hooks every service installs.
describe(instrumentHttp.name, () => {
  let app: FastifyInstance;
  let url: string;
  const metrics = new Metrics('gateway', 'gw-1');

  beforeAll(async () => {
    initTracing({
      service: 'gateway',
      processors: [new SimpleSpanProcessor({ exporter: exported })],
    });
    app = Fastify();
    instrumentHttp(app, {
      metrics,
      logger: createLogger({
        service: 'gateway',
        instance: 'gw-1',
        level: 'debug',
        pretty: false,
        destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
      }),
      describeRequest: (request) => ({ userId: request.headers['x-user-id'] }),
    });
    // What the handler sees of the trace: it runs inside the request's span, body read or not.
    app.get('/things/:id', async () => currentTraceIds() ?? {});
    app.post('/things', async () => currentTraceIds() ?? {});
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/broken', async (_request, reply) => reply.code(503).send({ code: 'DOWN' }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    exported.reset();
    lines.length = 0;
  });

  it("continues the caller's traceparent in a server span the handler runs in", async () => {
    const r = await fetch(`${url}/things/42?secret=x`, {
      headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, 'x-user-id': 'alice' },
    });
    const seen = (await r.json()) as { traceId: string; spanId: string };
    await accessLines(1);
    const [span] = exported.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'GET /things/:id',
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/things/:id',
        'url.path': '/things/42',
        'http.response.status_code': 200,
      },
    });
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(seen).toEqual({ traceId: TRACE_ID, spanId: span?.spanContext().spanId });
  });

  it('keeps the span active in the handler of a request with a body, and starts a trace when none came', async () => {
    const r = await fetch(`${url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    const seen = (await r.json()) as { traceId?: string };
    await accessLines(1);
    const [span] = exported.getFinishedSpans();
    expect(span?.parentSpanContext).toBeUndefined();
    expect(seen.traceId).toBe(span?.spanContext().traceId);
  });

  it('writes one access line per request at info (path without its query), probes at debug, and no span for them', async () => {
    await fetch(`${url}/things/7?user_message=hello`, { headers: { 'x-user-id': 'bob' } });
    await fetch(`${url}/health`);
    await fetch(`${url}/broken`);
    const [thing, health, broken] = await accessLines(3);
    expect(thing).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/things/:id',
      path: '/things/7',
      status: 200,
      userId: 'bob',
      durationMs: expect.any(Number),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(thing)).not.toContain('hello');
    expect(health).toMatchObject({ level: 'debug', route: '/health', status: 200 });
    expect(health?.['traceId']).toBeUndefined();
    expect(broken).toMatchObject({ level: 'info', status: 503 });
    expect(exported.getFinishedSpans().map((s) => [s.name, s.status.code])).toEqual([
      ['GET /things/:id', 0],
      ['GET /broken', 2],
    ]);
  });

  it('counts and times every answer by route, method and status', async () => {
    await fetch(`${url}/things/8`);
    await fetch(`${url}/nowhere`);
    await accessLines(2);
    const text = await metrics.text();
    expect(text).toMatch(
      /sb_http_request_duration_seconds_count\{[^}]*route="\/things\/:id",method="GET",status="200"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /sb_http_requests_total\{[^}]*route="unmatched",method="GET",status="404"/,
    );
  });
});
