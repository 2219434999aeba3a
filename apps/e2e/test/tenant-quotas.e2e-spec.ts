import type { Tenancy } from '@switchboard/contracts';
import {
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// Tenant quotas through two real gateway replicas (built dist) with TENANCY on (dev mode: X-Tenant-Id
// picks the tenant), sharing the machine's Redis under the stack's own prefix. No orchestrator runs,
// so every accepted task stays queued and holds its concurrentTasks slot for the whole test: nothing
// here depends on slots being released at the end of tasks.
describe('tenant quotas (two gateway replicas, TENANCY on, real Redis)', () => {
  let stack: Stack;
  let second: ServiceHandle;
  const run = randomUUID().slice(0, 6);
  const tenant = (name: string) => `${name}-${run}`;

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      services: ['audit', 'gateway'],
      env: {
        gateway: { TENANCY: 'true', RATE_LIMIT_PER_MINUTE: '0', QUOTA_RETRY_AFTER_SECONDS: '7' },
      },
    });
    second = await startService('gateway', stack.envOf('gateway'), { logDir: stack.logDir });
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
  });

  type Who = { user: string; tenant: string; role?: string };
  const headers = (who: Who) => ({
    'x-user-id': who.user,
    'x-tenant-id': who.tenant,
    'x-user-role': who.role ?? 'user',
  });
  const operator: Who = { user: 'op', tenant: 'default', role: 'platform-admin' };
  /** A request to the first replica, or with `replica` 1 to the second. */
  const call = (who: Who, method: string, path: string, body?: unknown, replica = 0) =>
    fetch(`${replica === 1 ? second.url : stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...headers(who),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const putQuota = async (tenantId: string, quota: Tenancy.TenantQuota) => {
    const r = await call(operator, 'PUT', `/tenants/${tenantId}/quotas`, quota);
    expect(r.status).toBe(200);
    return (await r.json()) as Tenancy.TenantQuotaView;
  };
  const submit = (who: Who, replica = 0) =>
    call(who, 'POST', '/orchestrate?async=true', { task: 'what is 6 * 7' }, replica);
  /**
   * `n` submissions at once, each by its own user of the tenant, alternating between the two
   * replicas: status, Retry-After and body of each.
   */
  const burst = async (tenantId: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = await submit({ user: `u${i}`, tenant: tenantId }, i % 2);
        return {
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: (await r.json()) as { code?: string; details?: Record<string, unknown> },
        };
      }),
    );
  const usage = async (who: Who, query = '') => {
    const r = await call(who, 'GET', `/usage${query}`);
    expect(r.status).toBe(200);
    return (await r.json()) as Tenancy.TenantUsage;
  };

  it('starts exactly 10 of 64 parallel tasks across two replicas against concurrentTasks=10 (54 × 429 + Retry-After), tenant B unaffected at the same time', async () => {
    const [a, b] = [tenant('a'), tenant('b')];
    expect(await putQuota(a, { concurrentTasks: 10 })).toEqual({
      tenantId: a,
      quota: { concurrentTasks: 10 },
      source: 'tenant',
    });
    const [inA, inB] = await Promise.all([burst(a, 64), burst(b, 64)]);
    expect(inA.filter((r) => r.status === 202)).toHaveLength(10);
    const refused = inA.filter((r) => r.status === 429);
    expect(refused).toHaveLength(54);
    for (const r of refused) {
      expect(r.retryAfter).toBe('7');
      expect(r.body).toMatchObject({
        code: 'RATE_LIMITED',
        details: { quota: 'concurrentTasks', scope: 'tenant', tenantId: a, limit: 10, used: 10 },
      });
    }
    expect(inB.map((r) => r.status)).toEqual(Array(64).fill(202));

    const seen = await usage({ user: 'boss', tenant: a, role: 'admin' });
    expect(seen).toMatchObject({
      tenantId: a,
      metered: true,
      source: 'tenant',
      quota: { concurrentTasks: 10 },
      usage: { runningTasks: 10, tasksLastMinute: 10 },
    });
    // An admin of the tenant sees each user counted today; the ten admitted ran one task each.
    expect(seen.users).toHaveLength(10);
    expect(seen.users?.every((u) => u.usage.runningTasks === 1)).toBe(true);
    // A user sees the tenant's totals and their own counters only.
    const mine = await usage({ user: 'nobody-yet', tenant: a });
    expect(mine.usage.runningTasks).toBe(10);
    expect(mine.users).toEqual([
      { userId: 'nobody-yet', usage: expect.objectContaining({ runningTasks: 0 }) },
    ]);
    // Tenant B has no quota: nothing is counted there.
    expect(await usage({ user: 'u0', tenant: b })).toMatchObject({
      metered: false,
      source: 'none',
      quota: null,
      usage: { runningTasks: 0 },
    });
  });

  it('starts exactly 10 of 64 parallel tasks against tasksPerMinute=10, naming the wait', async () => {
    const c = tenant('c');
    await putQuota(c, { tasksPerMinute: 10 });
    const results = await burst(c, 64);
    expect(results.filter((r) => r.status === 202)).toHaveLength(10);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(54);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
      expect(r.body.details).toMatchObject({ quota: 'tasksPerMinute', limit: 10, used: 10 });
      expect(r.body.details?.['retryAfterSeconds']).toBe(Number(r.retryAfter));
    }
    expect((await usage({ user: 'u0', tenant: c })).usage.tasksLastMinute).toBe(10);
  });

  it('applies a changed quota to the next submission without a restart, per user too, and on every surface', async () => {
    const d = tenant('d');
    await putQuota(d, { concurrentTasks: 1 });
    const ada = { user: 'ada', tenant: d };
    expect((await submit(ada)).status).toBe(202);
    expect((await submit(ada)).status).toBe(429);
    // Changed through one replica, applied by the other at its next submission.
    await putQuota(d, { concurrentTasks: 3, perUser: { concurrentTasks: 2 } });
    expect((await submit(ada, 1)).status).toBe(202);
    const perUser = await submit(ada);
    expect(perUser.status).toBe(429);
    expect(await perUser.json()).toMatchObject({
      details: { quota: 'concurrentTasks', scope: 'user', userId: 'ada', limit: 2, used: 2 },
    });
    expect((await submit({ user: 'bob', tenant: d })).status).toBe(202);
    // The tenant is full (3): the streaming surface refuses before any stream opens...
    const stream = await call({ user: 'cy', tenant: d }, 'POST', '/orchestrate/stream', {
      task: 'what is 6 * 7',
    });
    expect(stream.status).toBe(429);
    expect(stream.headers.get('content-type')).toContain('application/json');
    // ...and the A2A endpoint reports the refusal in its protocol, naming the quota.
    const a2a = await fetch(`${stack.gatewayUrl}/a2a`, {
      method: 'POST',
      headers: {
        ...headers({ user: 'cy', tenant: d }),
        'content-type': 'application/json',
        'a2a-version': '1.0',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: {
          message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hi' }] },
        },
      }),
    });
    expect(JSON.stringify(await a2a.json())).toMatch(/RATE_LIMITED: quota concurrentTasks/);
    // Removed: nothing limits the tenant any more.
    const removed = await call(operator, 'DELETE', `/tenants/${d}/quotas`);
    expect(await removed.json()).toEqual({ tenantId: d, quota: null, source: 'none' });
    expect((await submit(ada)).status).toBe(202);
  });

  it('lets the platform operator alone set quotas, a tenant admin read only their own, naming bad fields; audited', async () => {
    const [e, f] = [tenant('e'), tenant('f')];
    await putQuota(e, { toolCallsPerDay: 100, perUser: { tokensPerDay: 5_000 } });
    const eAdmin = { user: 'ann', tenant: e, role: 'admin' };
    expect((await call(eAdmin, 'GET', `/tenants/${e}/quotas`)).status).toBe(200);
    expect((await call(eAdmin, 'GET', `/tenants/${f}/quotas`)).status).toBe(404);
    expect((await call({ user: 'u', tenant: e }, 'GET', `/tenants/${e}/quotas`)).status).toBe(403);
    expect(
      (await call(eAdmin, 'PUT', `/tenants/${e}/quotas`, { concurrentTasks: 100 })).status,
    ).toBe(403);
    const bad = await call(operator, 'PUT', `/tenants/${e}/quotas`, { concurrentTasks: -1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('concurrentTasks'),
    });
    const badTenant = await call(operator, 'PUT', '/tenants/a.b/quotas', {});
    expect(badTenant.status).toBe(400);
    expect(((await badTenant.json()) as { message: string }).message).toContain(
      'path parameter tenant',
    );
    // Another tenant's usage: the platform operator's only.
    expect((await call(eAdmin, 'GET', `/usage?tenant=${f}`)).status).toBe(404);
    expect((await usage(operator, `?tenant=${e}`)).quota).toEqual({
      toolCallsPerDay: 100,
      perUser: { tokensPerDay: 5_000 },
    });
    const audited = await waitFor(
      async () => {
        const r = await call(operator, 'GET', '/audit?action=quota.set&limit=100');
        if (r.status !== 200) return undefined;
        const { entries } = (await r.json()) as { entries: { resource?: string }[] };
        return entries.find((x) => x.resource === `tenants/${e}/quotas`);
      },
      { what: 'the quota change in the audit trail', timeoutMs: 20_000 },
    );
    expect(audited).toMatchObject({
      category: 'admin',
      outcome: 'success',
      actor: { userId: 'op', role: 'platform-admin' },
      details: { after: { toolCallsPerDay: 100 } },
    });
  });

  it('exports usage per tenant with a bounded tenant label', async () => {
    const [g, h] = [tenant('g'), tenant('h')];
    await putQuota(g, { concurrentTasks: 1 });
    expect((await submit({ user: 'ada', tenant: g })).status).toBe(202);
    expect((await submit({ user: 'ada', tenant: g })).status).toBe(429);
    expect((await submit({ user: 'ada', tenant: h })).status).toBe(202);
    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    // Read from Redis when scraped: the same on every replica.
    expect(metrics).toMatch(
      new RegExp(`sb_quota_usage\\{tenant="${g}",counter="runningTasks"[^}]*\\} 1\n`),
    );
    expect(metrics).toMatch(
      new RegExp(
        `sb_quota_limit\\{tenant="${g}",quota="concurrentTasks",scope="tenant"[^}]*\\} 1\n`,
      ),
    );
    expect(metrics).toMatch(
      new RegExp(`sb_quota_refusals_total\\{tenant="${g}",quota="concurrentTasks",scope="tenant"`),
    );
    // Tenant h has no quota of its own: it is counted as "other", never named.
    expect(metrics).not.toContain(`tenant="${h}"`);
    expect(metrics).toMatch(/sb_quota_tasks_admitted_total\{tenant="other"[^}]*\} \d+/);
  });
});
