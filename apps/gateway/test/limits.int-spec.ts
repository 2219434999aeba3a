import { Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// Two gateway replicas sharing one Redis prefix; no orchestrator, so submitted tasks stay queued and
// their event streams stay open (what a long task looks like to the gateway).
describe('gateway limits across replicas (real Redis, two gateway processes)', () => {
  let stack: Stack;
  let g1: ServiceHandle;
  let g2: ServiceHandle;
  let bus: BusClient;

  beforeAll(async () => {
    stack = await startStack({ services: ['audit'] });
    const env = {
      ...stack.envOf('gateway'),
      AUTH_MODE: 'dev',
      RATE_LIMIT_PER_MINUTE: '20',
      MAX_STREAMS_PER_USER: '2',
      SSE_HEARTBEAT_MS: '200',
      AUTH_FAILURE_LIMIT: '5',
      AUTH_FAILURE_WINDOW_SECONDS: '600',
      // The test's requests come from 127.0.0.1 and name the client in X-Forwarded-For.
      TRUST_PROXY: '127.0.0.1',
    };
    [g1, g2] = await Promise.all([
      startService('gateway', env, { logDir: stack.logDir }),
      startService('gateway', env, { logDir: stack.logDir }),
    ]);
    bus = await createBusClient(stack.nats.url, 'orchestrator', stack.natsSettings('orchestrator'));
  });

  afterAll(async () => {
    await bus?.close();
    await Promise.allSettled([g1?.stop(), g2?.stop()]);
    await stack?.stop();
  });

  const get = (
    gw: ServiceHandle,
    path: string,
    user: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ) =>
    fetch(`${gw.url}${path}`, {
      headers: { 'x-user-id': user, ...headers },
      ...(signal ? { signal } : {}),
    });

  it("limits a user's requests across both replicas with 429 and Retry-After; other users are unaffected", async () => {
    const user = `rl-${randomUUID().slice(0, 8)}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      for (const gw of [g1, g2]) {
        const r = await get(gw, `/tasks/${randomUUID()}`, user);
        statuses.push(r.status);
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after');
          expect(await r.json()).toMatchObject({
            code: 'RATE_LIMITED',
            details: { limit: 'rate' },
            requestId: expect.any(String),
          });
        } else {
          await r.arrayBuffer();
        }
      }
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(
      (await get(g2, `/tasks/${randomUUID()}`, `other-${randomUUID().slice(0, 8)}`)).status,
    ).not.toBe(429);
  });

  it("caps a user's open streams across replicas, and frees a slot the moment a client goes away", async () => {
    const user = `st-${randomUUID().slice(0, 8)}`;
    const submit = await fetch(`${g1.url}/orchestrate?async=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ task: 'what is 1 + 1' }),
    });
    expect(submit.status).toBe(202);
    const { task_id: taskId } = (await submit.json()) as { task_id: string };
    // No orchestrator: the task's state is unavailable (503), but its owner may attach to its events.
    expect((await get(g2, `/tasks/${taskId}`, user)).status).toBe(503);

    const a = new AbortController();
    const b = new AbortController();
    const s1 = await get(g1, `/tasks/${taskId}/events`, user, {}, a.signal);
    const s2 = await get(g2, `/tasks/${taskId}/events`, user, {}, b.signal);
    expect([s1.status, s2.status]).toEqual([200, 200]);
    expect(s1.headers.get('content-type')).toContain('text/event-stream');
    // Heartbeats flow while nothing happens.
    const reader = s1.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain(': keep-alive');

    const third = await get(g1, `/tasks/${taskId}/events`, user);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeTruthy();
    expect(await third.json()).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'streams' },
    });
    const stranger = await get(g1, `/tasks/${taskId}/events`, 'stranger');
    expect(stranger.status).toBe(503); // the orchestrator is away and the task is not theirs
    await stranger.arrayBuffer();

    a.abort();
    await reader.cancel().catch(() => undefined);
    const again = await waitFor(
      async () => {
        const r = await get(g2, `/tasks/${taskId}/events`, user);
        if (r.status === 200) return r;
        await r.arrayBuffer();
        return undefined;
      },
      { what: 'a freed stream slot', intervalMs: 100 },
    );
    expect(again.status).toBe(200);
    await again.body?.cancel();
    b.abort();
  });

  it('maps missing services to 503 and silent ones to 504, with the envelope', async () => {
    const user = `err-${randomUUID().slice(0, 8)}`;
    const missing = await get(g1, `/tasks/${randomUUID()}`, user);
    expect(missing.status).toBe(503);
    expect(missing.headers.get('retry-after')).toBe('5');
    expect(await missing.json()).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringMatching(/orchestrator is not available/),
      requestId: expect.any(String),
    });

    // A responder that never answers: the gateway gives up after the contract's timeout.
    const sub = bus.bus.connection.subscribe(Tasks.TaskGet.subject);
    await bus.bus.connection.flush();
    try {
      const silent = await get(g2, `/tasks/${randomUUID()}`, user);
      expect(silent.status).toBe(504);
      expect(await silent.json()).toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(/no reply/),
      });
    } finally {
      sub.unsubscribe();
    }
  });

  it('enforces the body size limit, and readiness checks NATS and Redis', async () => {
    const big = await fetch(`${g1.url}/orchestrate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-user-id': `big-${randomUUID().slice(0, 8)}`,
      },
      body: JSON.stringify({ task: 'x'.repeat(100_000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const ready = (await (await fetch(`${g1.url}/readiness`)).json()) as {
      info: Record<string, { status: string }>;
    };
    expect(ready.info).toMatchObject({ nats: { status: 'up' }, redis: { status: 'up' } });
  });

  it("limits refused authentications per client address across both replicas, audits them once the limit is reached, and still admits that address's valid users", async () => {
    const client = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
    const other = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const refused = (gw: ServiceHandle, ip: string) =>
      fetch(`${gw.url}/tools`, { headers: { 'x-user-id': 'not a user!', 'x-forwarded-for': ip } });
    const answers: { status: number; code: string; limit?: string; retryAfter: string | null }[] =
      [];
    for (let i = 0; i < 8; i++) {
      const r = await refused(i % 2 ? g2 : g1, client);
      const body = (await r.json()) as { code: string; details?: { limit?: string } };
      answers.push({
        status: r.status,
        code: body.code,
        ...(body.details?.limit ? { limit: body.details.limit } : {}),
        retryAfter: r.headers.get('retry-after'),
      });
    }
    expect(answers.slice(0, 5).map((a) => [a.status, a.code])).toEqual(
      Array.from({ length: 5 }, () => [401, 'UNAUTHORIZED']),
    );
    for (const a of answers.slice(5)) {
      expect(a).toMatchObject({ status: 429, code: 'RATE_LIMITED', limit: 'auth' });
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(600);
    }
    // Valid credentials from the same address pass; another address is not limited.
    const valid = await fetch(`${g2.url}/tasks/${randomUUID()}`, {
      headers: { 'x-user-id': `ok-${randomUUID().slice(0, 8)}`, 'x-forwarded-for': client },
    });
    expect([401, 429]).not.toContain(valid.status);
    await valid.arrayBuffer();
    const elsewhere = await refused(g1, other);
    expect(elsewhere.status).toBe(401);
    await elsewhere.arrayBuffer();

    // The audit trail has one row per refusal up to the limit, then one auth.limited for the window;
    // the other address's refusal, audited last, shows everything before it has been stored.
    type Row = { action: string; ip: string; status: number };
    const rows = await waitFor(
      async () => {
        const found = await stack.dbs.audit.query<Row>(
          `SELECT action, details->>'ip' AS ip, (details->>'status')::int AS status
             FROM "AuditEntry" WHERE category = 'auth' AND details->>'ip' IN ($1, $2) ORDER BY seq`,
          [client, other],
        );
        return found.some((r) => r.ip === other) ? found : undefined;
      },
      { what: 'the audit rows of both addresses' },
    );
    expect(rows.filter((r) => r.ip === client).map((r) => [r.action, r.status])).toEqual([
      ...Array.from({ length: 5 }, () => ['auth.refused', 401]),
      ['auth.limited', 429],
    ]);
  });
});
