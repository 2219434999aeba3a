import { Headers, Tools } from '@switchboard/contracts';
import { encodeJson } from '@switchboard/messaging';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type OtlpReceiver,
  type PrivateNats,
  type ReceivedSpan,
  type ServiceHandle,
  startOtlpReceiver,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { randomBytes, randomUUID } from 'node:crypto';
import { STDIO_EXAMPLE, startStub, type StubServer, writeToolsFile } from './support.js';

const FORECAST_KEY = `key-${randomBytes(12).toString('hex')}`;
const redisPrefix = testRedisPrefix('tools-trace');
/** OTLP's span kinds. */
const SERVER = 2;
const CLIENT = 3;

// mcp-tools as a real process exporting to a real OTLP/HTTP receiver: a tool call continues its
// caller's trace, and its upstream — an http_endpoint tool's request, an MCP server's tools/call — is
// a span below it, the HTTP one carrying the trace on to the upstream and no credential in the span.
describe('tool call spans (real process, OTLP receiver, stub HTTP API, stdio MCP server)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let receiver: OtlpReceiver;
  let api: StubServer;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    api = await startStub(() => ({ status: 200, body: { temperature: 21 } }));
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_trace', 'mcp-tools');
    const toolsFile = writeToolsFile(
      'tools.yaml',
      `
tools:
  - name: forecast.lookup
    description: Today's forecast for a city.
    provider: forecast
    inputSchema: { type: object, properties: { city: { type: string } }, required: [city] }
    handler: { kind: http_endpoint, url: "${api.url}/forecast", method: GET, query: { key: "{{FORECAST_KEY}}" } }
    requiredCredentials: [FORECAST_KEY]
mcpServers:
  demo:
    command: ${JSON.stringify(STDIO_EXAMPLE.command)}
    args: ${JSON.stringify(STDIO_EXAMPLE.args)}
`,
    );
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: toolsFile,
      FORECAST_KEY,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Spans go out every 100 ms rather than every 5 s: each test waits for its spans to arrive, and
      // the export is the same batch processor and OTLP/HTTP exporter either way.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await api?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
    await receiver?.close();
  });

  /** Calls a tool as the orchestrator would, from inside a trace of the test's own. */
  async function callInTrace(tool: string, input: Record<string, unknown>) {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const h = natsHeaders();
    h.set(Headers.userId, `trace-${randomUUID().slice(0, 8)}`);
    h.set(Headers.userRole, 'user');
    h.set('traceparent', `00-${traceId}-${parent}-01`);
    const subject = Tools.ToolsCall.subjectOf({ tool, input });
    const reply = await client.bus.connection.request(
      subject,
      encodeJson({ pattern: subject, data: { tool, input }, id: randomUUID() }),
      { headers: h, timeout: 15_000 },
    );
    expect(reply.json<{ err?: unknown }>().err).toBeUndefined();
    return { traceId, parent };
  }

  /** The trace once its spans named in `names` have arrived (exports come in batches). */
  const spansOf = (traceId: string, names: string[]): Promise<ReceivedSpan[]> =>
    waitFor(
      () => {
        const spans = receiver.trace(traceId);
        return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: `spans ${names.join(', ')}` },
    );

  it("an http_endpoint tool's request is a span below the tool call, carries the trace upstream and no credential", async () => {
    const { traceId, parent } = await callInTrace('forecast.lookup', { city: 'Paris' });
    const spans = await spansOf(traceId, [
      'nats handle sb.cmd.tools.call.{taskId}',
      'tool call',
      'GET',
    ]);
    const handle = spans.find((s) => s.name === 'nats handle sb.cmd.tools.call.{taskId}')!;
    const call = spans.find((s) => s.name === 'tool call')!;
    const http = spans.find((s) => s.name === 'GET')!;
    expect(handle).toMatchObject({ kind: SERVER, parentSpanId: parent, service: 'mcp-tools' });
    expect(call).toMatchObject({ parentSpanId: handle.spanId });
    expect(call.attributes['gen_ai.tool.name']).toBe('forecast.lookup');
    expect(http).toMatchObject({ kind: CLIENT, parentSpanId: call.spanId });
    expect(http.attributes['url.full']).toBe(`${api.url}/forecast?key=REDACTED&city=REDACTED`);
    expect(http.attributes['http.response.status_code']).toBe(200);
    // The API was called with the credential, and with the trace continuing from the HTTP span.
    const received = api.requests.at(-1)!;
    expect(received.url).toContain(FORECAST_KEY);
    expect(received.headers['traceparent']).toBe(`00-${traceId}-${http.spanId}-01`);
    expect(JSON.stringify(receiver.spans())).not.toContain(FORECAST_KEY);
  });

  it("an MCP server's tools/call is a client span below the tool call", async () => {
    await waitFor(
      async () =>
        (
          await client.bus.request(
            Tools.ToolsManifest,
            {},
            {
              actor: { userId: 'manifest-reader', role: 'user' },
            },
          )
        ).tools.some((t) => t.name === 'demo__echo'),
      { what: 'the stdio MCP server to be connected' },
    );
    const { traceId } = await callInTrace('demo__echo', { text: 'hello' });
    const spans = await spansOf(traceId, ['tool call', 'mcp tools/call']);
    const call = spans.find((s) => s.name === 'tool call')!;
    expect(spans.find((s) => s.name === 'mcp tools/call')).toMatchObject({
      kind: CLIENT,
      parentSpanId: call.spanId,
      attributes: expect.objectContaining({
        'mcp.server': 'demo',
        'mcp.transport': 'stdio',
        'gen_ai.tool.name': 'echo',
      }),
    });
  });
});
