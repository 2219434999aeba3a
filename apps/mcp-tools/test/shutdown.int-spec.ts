import { type Actor, Health, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import {
  auditRecords,
  ensureStreams,
  failure,
  startHeldApi,
  type HeldApi,
  writeToolsFile,
} from './support.js';

const redisPrefix = testRedisPrefix('tools-stop');
const CALLS = 20;

// SIGTERM while tool calls are running: the service stops taking requests, lets the calls it has
// finish — their idempotency records, audit records and replies included — and only then closes
// Redis, PostgreSQL and NATS.
describe('mcp-tools stopping with calls in flight (real process, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;
  let api: HeldApi;
  const alice: Actor = { userId: `alice-${randomUUID().slice(0, 8)}`, role: 'user' };

  beforeAll(async () => {
    api = await startHeldApi();
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_stop', 'mcp-tools');
    client = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      SHUTDOWN_GRACE_MS: '30000',
      TOOLS_FILE: writeToolsFile(
        'tools.yaml',
        `
tools:
  - name: work.do
    description: Does some work elsewhere (not idempotent).
    provider: work
    inputSchema: { type: object, properties: { n: { type: integer } }, required: [n] }
    handler: { kind: http_endpoint, url: "${api.url}", method: POST }
    timeoutMs: 40000
`,
      ),
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await api?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  it(`answers all ${CALLS} calls in flight at SIGTERM, then exits 0`, async () => {
    const taskId = randomUUID();
    await client.bus.request(Tools.ToolsManifest, { taskId }, { actor: alice });
    const calls = Array.from({ length: CALLS }, (_, n) =>
      client.bus
        .request(
          Tools.ToolsCall,
          {
            tool: 'work.do',
            input: { n },
            taskId,
            stepId: `s${n}`,
            idempotencyKey: `${taskId}:s${n}`,
          },
          { actor: alice },
        )
        .then(
          (r) => ({ ok: true as const, output: r.output }),
          (e: unknown) => ({ ok: false as const, error: (e as Error).message }),
        ),
    );
    await waitFor(() => api.received() === CALLS, { what: `${CALLS} calls to reach the API` });

    // Load that keeps coming while it stops: each request is either served in full or not taken
    // (no responders: the caller retries elsewhere) — never failed by a half-closed service.
    let stopped = false;
    const during: string[] = [];
    const load = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; !stopped; i++) {
        const user: Actor = { userId: `load-${worker}-${i}`, role: 'user' };
        const id = randomUUID();
        try {
          await client.bus.request(Tools.ToolsManifest, { taskId: id }, { actor: user });
          await client.bus.request(
            Tools.ToolsCall,
            { tool: 'calculator', input: { expression: '1 + 1' }, taskId: id },
            { actor: user },
          );
          during.push('ok');
        } catch (e) {
          const code = (e as { code?: string }).code ?? 'unknown';
          if (code === 'UPSTREAM_UNAVAILABLE') stopped = true;
          else during.push(`${code}: ${(e as Error).message}`);
        }
      }
    });

    process.kill(service.pid, 'SIGTERM');
    // Once no replica serves mcp-tools' subjects, it has stopped taking requests: with the old order
    // of shutdown, Redis and PostgreSQL were closed by then.
    const gone = await waitFor(
      async () => {
        const e = await failure(client.bus.request(Health.HealthStatus['mcp-tools'], {}));
        return e.code === 'UPSTREAM_UNAVAILABLE' ? e : undefined;
      },
      { what: 'mcp-tools to stop taking requests' },
    );
    expect(gone.message).toMatch(/no responders/);
    api.release();

    const answers = await Promise.all(calls);
    await Promise.all(load);
    expect(during.filter((d) => d !== 'ok')).toEqual([]);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    expect(answers.map((a) => a.ok && a.output)).toEqual(Array(CALLS).fill({ ok: true }));
    expect(await service.exited).toBe(0);
    expect(service.logs()).not.toMatch(/Connection is closed/);
    expect(service.logs()).toMatch(/"msg":"drained: no work in flight"/);

    const rows = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM "ToolCall" WHERE "userId" = $1 GROUP BY status',
      [alice.userId],
    );
    expect(rows).toEqual([{ status: 'completed', n: CALLS }]);
    const audited = (await auditRecords(client)).filter(
      (r) => r.taskId === taskId && r.action === 'tool.call',
    );
    expect(audited.map((r) => r.outcome)).toEqual(Array(CALLS).fill('success'));
  });
});
