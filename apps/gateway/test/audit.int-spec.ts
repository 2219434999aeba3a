import {
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

// A real gateway and audit service on their own NATS subjects, database and Redis prefix.
describe('gateway audit routes (real gateway and audit processes)', () => {
  let stack: Stack;
  let gateway: ServiceHandle;

  beforeAll(async () => {
    stack = await startStack({ services: ['audit'] });
    gateway = await startService(
      'gateway',
      { ...stack.envOf('gateway'), AUTH_MODE: 'dev', RATE_LIMIT_PER_MINUTE: '0' },
      { logDir: stack.logDir },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
  });

  const get = (path: string, user: string, role: 'user' | 'admin') =>
    fetch(`${gateway.url}${path}`, { headers: { 'x-user-id': user, 'x-user-role': role } });

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
    const verified = await get('/audit/verify', admin, 'admin');
    expect(verified.status).toBe(200);
    const result = (await verified.json()) as { ok: boolean; checked: number };
    expect(result).toEqual({ ok: true, checked: expect.any(Number) });
    expect(result.checked).toBeGreaterThan(0);
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

  it('GET /audit/verify refuses parameters (the check always covers the whole chain)', async () => {
    const r = await get('/audit/verify?from=2026-01-01T00:00:00Z', 'some-admin', 'admin');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 'VALIDATION' });
  });
});
