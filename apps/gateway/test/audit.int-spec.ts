import {
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// A real gateway (tenancy on, dev mode: X-Tenant-Id, `default` when absent) and audit service on their
// own NATS subjects, database and Redis prefix.
describe('gateway audit routes (real gateway and audit processes)', () => {
  let stack: Stack;
  let gateway: ServiceHandle;

  beforeAll(async () => {
    stack = await startStack({ services: ['audit'] });
    gateway = await startService(
      'gateway',
      { ...stack.envOf('gateway'), AUTH_MODE: 'dev', RATE_LIMIT_PER_MINUTE: '0', TENANCY: 'true' },
      { logDir: stack.logDir },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  const get = (
    path: string,
    user: string,
    role: 'user' | 'admin' | 'platform-admin',
    tenant?: string,
  ) =>
    fetch(`${gateway.url}${path}`, {
      headers: {
        'x-user-id': user,
        'x-user-role': role,
        ...(tenant !== undefined ? { 'x-tenant-id': tenant } : {}),
      },
    });

  /** Waits until `user`'s audited refusal of `action` is stored, as `reader` sees the trail. */
  const storedRefusal = (
    query: string,
    reader: [string, 'admin' | 'platform-admin', string?],
  ): Promise<Record<string, unknown>[]> =>
    waitFor(
      async () => {
        const r = await get(`/audit?${query}`, ...reader);
        const body = (await r.json()) as { entries: Record<string, unknown>[] };
        return body.entries.length > 0 ? body.entries : undefined;
      },
      { what: `the audited refusal (${query})` },
    );

  it('GET /audit/verify: a plain user gets 403 (audited); an admin gets an intact chain', async () => {
    const user = `plain-${randomUUID().slice(0, 8)}`;
    const denied = await get('/audit/verify', user, 'user');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.any(String),
      requestId: expect.any(String),
    });

    const admin = `admin-${randomUUID().slice(0, 8)}`;
    // The refusal above is itself a row of the fresh trail: wait until it is stored, then verify.
    await waitFor(
      async () => {
        const r = await get(`/audit?user_id=${user}&action=audit.verify.denied`, admin, 'admin');
        const body = (await r.json()) as { entries: unknown[] };
        return body.entries.length > 0 ? true : undefined;
      },
      { what: 'the audited refusal' },
    );
    // An admin of the default tenant (no X-Tenant-Id) verifies that tenant's chain.
    const verified = await get('/audit/verify', admin, 'admin');
    expect(verified.status).toBe(200);
    const result = (await verified.json()) as { ok: boolean; checked: number };
    expect(result).toEqual({
      ok: true,
      scope: 'tenant',
      tenantId: 'default',
      checked: expect.any(Number),
      firstTenantSeq: 1,
      lastTenantSeq: result.checked,
      lastHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(result.checked).toBeGreaterThan(0);
  });

  it("GET /audit/verify: the platform operator verifies the whole trail, or one tenant's chain", async () => {
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    // A row of the tenant: a plain user's refusal, audited in its tenant.
    expect((await get('/audit/verify', 'someone', 'user', tenant)).status).toBe(403);
    await storedRefusal(`tenant_id=${tenant}`, ['ops', 'platform-admin']);

    const all = await get('/audit/verify', 'ops', 'platform-admin');
    expect(all.status).toBe(200);
    expect(await all.json()).toMatchObject({ ok: true, scope: 'all', checked: expect.any(Number) });

    const one = await get(`/audit/verify?tenant_id=${tenant}`, 'ops', 'platform-admin');
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      ok: true,
      scope: 'tenant',
      tenantId: tenant,
      checked: 1,
      firstTenantSeq: 1,
      lastTenantSeq: 1,
    });
  });

  it("GET /audit/verify: a tenant's admin verifies its own chain; another tenant's is 404", async () => {
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    const own = await get(`/audit/verify?tenant_id=${tenant}`, 'boss', 'admin', tenant);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ ok: true, scope: 'tenant', tenantId: tenant });

    const other = await get('/audit/verify?tenant_id=default', 'boss', 'admin', tenant);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it("GET /audit: tenant_id narrows the platform operator's rows; another tenant's gives anyone else none", async () => {
    const [acme, globex] = [
      `acme-${randomUUID().slice(0, 8)}`,
      `globex-${randomUUID().slice(0, 8)}`,
    ];
    const user = `u-${randomUUID().slice(0, 8)}`;
    // The same user id in both tenants: two people, each refused in their own tenant.
    expect((await get('/audit/verify', user, 'user', acme)).status).toBe(403);
    expect((await get('/audit/verify', user, 'user', globex)).status).toBe(403);

    const acmeRows = await storedRefusal(`user_id=${user}&tenant_id=${acme}`, [
      'ops',
      'platform-admin',
    ]);
    expect(acmeRows.map((r) => r['tenantId'])).toEqual([acme]);
    await storedRefusal(`user_id=${user}&tenant_id=${globex}`, ['ops', 'platform-admin']);
    const both = await get(`/audit?user_id=${user}`, 'ops', 'platform-admin');
    const bothRows = ((await both.json()) as { entries: { tenantId: string }[] }).entries;
    expect(new Set(bothRows.map((r) => r.tenantId))).toEqual(new Set([acme, globex]));

    // acme's admin: its own rows, with or without naming its tenant; none of globex's.
    const mine = await get(`/audit?user_id=${user}`, 'boss', 'admin', acme);
    expect(((await mine.json()) as { entries: { tenantId: string }[] }).entries).toEqual([
      expect.objectContaining({ tenantId: acme }),
    ]);
    const named = await get(`/audit?user_id=${user}&tenant_id=${acme}`, 'boss', 'admin', acme);
    expect(((await named.json()) as { entries: unknown[] }).entries).toHaveLength(1);
    const theirs = await get(`/audit?user_id=${user}&tenant_id=${globex}`, 'boss', 'admin', acme);
    expect(theirs.status).toBe(200);
    expect(await theirs.json()).toEqual({ entries: [] });
  });

  it('GET /audit filters by outcome, and names a bad one', async () => {
    const user = `outcome-${randomUUID().slice(0, 8)}`;
    expect((await get('/audit/verify', user, 'user')).status).toBe(403);
    const admin = 'outcome-admin';
    const denied = await waitFor(
      async () => {
        const r = await get(`/audit?user_id=${user}&outcome=denied`, admin, 'admin');
        const body = (await r.json()) as { entries: { outcome: string; action: string }[] };
        return body.entries.length > 0 ? body.entries : undefined;
      },
      { what: "the user's denied row" },
    );
    expect(denied.every((e) => e.outcome === 'denied')).toBe(true);
    expect(denied.map((e) => e.action)).toContain('audit.verify.denied');
    const success = await get(`/audit?user_id=${user}&outcome=success`, admin, 'admin');
    expect(((await success.json()) as { entries: unknown[] }).entries).toEqual([]);
    const bad = await get('/audit?outcome=maybe', admin, 'admin');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('outcome');
  });

  it('GET /audit/verify refuses any parameter but tenant_id (a check covers a whole chain)', async () => {
    const r = await get('/audit/verify?from=2026-01-01T00:00:00Z', 'some-admin', 'admin');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 'VALIDATION' });
    const bad = await get('/audit/verify?tenant_id=..%2Fetc', 'ops', 'platform-admin');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('tenant_id');
  });
});
