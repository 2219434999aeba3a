import { runSwitchboardCli, startStack, type Stack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** Someone acting in a tenant (dev auth with TENANCY=true: X-User-Id, X-User-Role, X-Tenant-Id). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

interface Answer {
  status: string;
  result?: string;
  task_id?: string;
  /** A failed task's error (the body is the error envelope then). */
  code?: string;
}

/**
 * Long-term memory with the built-in planner (docs/memory.md): what a user asked to be remembered in
 * one thread is recalled in another and used to answer — "my favourite number times 6" is 42 — and
 * no one else, in the tenant or outside it, recalls it. Real processes on NATS with identities (the
 * orchestrator's recall is a request its NATS user must be allowed to make), PostgreSQL, Redis.
 */
describe('long-term memory across threads (real processes, built-in planner, TENANCY=true)', () => {
  let stack: Stack;
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const globex = `globex-${stamp}`;
  const ann: Who = { user: 'ann', tenant: acme };
  const bob: Who = { user: 'bob', tenant: acme };
  const annG: Who = { user: 'ann', tenant: globex };
  const adminG: Who = { user: 'gina', tenant: globex, role: 'admin' };
  const operator: Who = { user: 'olga', tenant: 'ops', role: 'platform-admin' };

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
      natsIdentities: true,
      env: { gateway: { TENANCY: 'true' } },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    expect(refused).toEqual([]);
  });

  let second = '';
  const http = (method: string, path: string, who: Who, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
        'x-tenant-id': who.tenant,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const ask = async (who: Who, task: string, thread: string): Promise<Answer> => {
    const res = await fetch(`${stack.gatewayUrl}/orchestrate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
        'x-tenant-id': who.tenant,
      },
      body: JSON.stringify({ task, thread_id: `${thread}-${stamp}` }),
    });
    return (await res.json()) as Answer;
  };

  it('remembers in one thread and answers 42 in another; no one else recalls it', async () => {
    const stored = await ask(ann, 'remember that my favourite number is 7', 'first');
    expect(stored).toMatchObject({
      status: 'completed',
      result: 'I will remember that my favourite number is 7.',
    });
    const rows = await stack.dbs.tools.query<Record<string, string>>(
      `SELECT "tenantId", "namespaceKind", "namespaceKey", "writerTaskId" FROM "MemoryItem"
       WHERE content = 'my favourite number is 7'`,
    );
    expect(rows).toEqual([
      {
        tenantId: acme,
        namespaceKind: 'user',
        namespaceKey: 'ann',
        writerTaskId: stored.task_id,
      },
    ]);

    const answered = await ask(ann, 'what is my favourite number times 6', 'second');
    expect(answered).toMatchObject({ status: 'completed', result: '7 * 6 = 42.' });
    second = answered.task_id!;

    // Another user of the tenant, the same user id in another tenant, that tenant's admin and the
    // platform operator: nothing recalled, so the built-in planner does not understand "my …".
    for (const other of [bob, annG, adminG, operator]) {
      const theirs = await ask(other, 'what is my favourite number times 6', 'other');
      expect(theirs.result).toBeUndefined();
      expect(JSON.stringify(theirs)).not.toContain('7 * 6');
      expect(theirs).toMatchObject({ code: 'UNSUPPORTED', details: { status: 'failed' } });
    }
  });

  it('replays the second task as it was after the memory changed; a new task uses the new value', async () => {
    await ask(ann, 'remember that my favourite number is 9', 'first');
    const res = await http('POST', `/tasks/${second}/replay`, ann, {});
    expect(res.status).toBe(202);
    const replay = (await res.json()) as { task_id: string };
    const view = await waitFor(async () => {
      const r = await http('GET', `/tasks/${replay.task_id}`, ann);
      const body = (await r.json()) as { status: string; result?: string; verdict?: unknown };
      return ['completed', 'failed'].includes(body.status) ? body : undefined;
    });
    expect(view).toMatchObject({
      status: 'completed',
      result: '7 * 6 = 42.',
      verdict: { identical: true },
    });
    const now = await ask(ann, 'what is my favourite number times 6', 'fourth');
    expect(now).toMatchObject({ status: 'completed', result: '9 * 6 = 54.' });
  });

  it('forks the second task with memory as it was (42) and as it is now (54); the diff names recall', async () => {
    const fork = async (body: Record<string, unknown>) => {
      const res = await http('POST', `/tasks/${second}/fork`, ann, { from_round: 1, ...body });
      expect(res.status).toBe(202);
      const { task_id } = (await res.json()) as { task_id: string };
      const ended = await waitFor(async () => {
        const r = await http('GET', `/tasks/${task_id}`, ann);
        const view = (await r.json()) as { status: string; result?: string };
        return ['completed', 'failed'].includes(view.status) ? view : undefined;
      });
      return { task_id, ...ended };
    };
    const asItWas = await fork({ memory: 'recorded' });
    expect(asItWas).toMatchObject({ status: 'completed', result: '7 * 6 = 42.' });
    const asItIs = await fork({});
    expect(asItIs).toMatchObject({ status: 'completed', result: '9 * 6 = 54.' });

    type Diff = {
      identical: boolean;
      firstDivergence?: { at: string; summary: string };
      entries: { at: string; a: unknown; b: unknown; same: boolean }[];
    };
    const diff = async (b: string) =>
      (await (await http('GET', `/tasks/${second}/diff/${b}`, ann)).json()) as Diff;
    const changed = await diff(asItIs.task_id);
    expect(changed.identical).toBe(false);
    expect(changed.firstDivergence).toMatchObject({
      at: 'recall',
      summary: expect.stringContaining('"my favourite number is 9"'),
    });
    expect(changed.entries.find((e) => e.at === 'recall')).toMatchObject({
      a: { recalled: ['my favourite number is 7'] },
      same: false,
    });
    const kept = await diff(asItWas.task_id);
    expect(kept.entries.find((e) => e.at === 'recall')).toMatchObject({
      a: { recalled: ['my favourite number is 7'] },
      b: { recalled: ['my favourite number is 7'] },
      same: true,
    });
    expect(kept.identical).toBe(true);
  });

  it('lists and forgets over HTTP: a user their own, nobody else theirs; a forgotten fact is not recalled', async () => {
    const mine = await http('GET', '/memory', ann);
    expect(mine.status).toBe(200);
    const { items } = (await mine.json()) as { items: { id: string; content: string }[] };
    expect(items.map((i) => i.content)).toEqual([
      'my favourite number is 9',
      'my favourite number is 7',
    ]);
    const id = items[0]!.id;

    expect((await http('GET', '/memory?kind=user&key=ann', bob)).status).toBe(403);
    const otherTenant = await http('GET', '/memory?kind=user&key=ann', adminG);
    expect(await otherTenant.json()).toEqual({ items: [] });
    expect((await http('GET', '/memory?kind=planet', ann)).status).toBe(400);

    // Not theirs: answered as an item that is gone, and kept.
    for (const other of [bob, annG, adminG]) {
      const refused = await http('DELETE', `/memory/${id}`, other);
      expect(await refused.json()).toEqual({ id, deleted: false, recalls: 0 });
    }
    // Gone from the store, and from the records of the two tasks that recalled it (the new task
    // that answered 54, and the fork with memory as it is): each of their two rounds recorded it.
    const forgotten = await http('DELETE', `/memory/${id}`, ann);
    expect(await forgotten.json()).toEqual({ id, deleted: true, recalls: 4 });
    expect(await stack.dbs.tools.query('SELECT id FROM "MemoryItem" WHERE id = $1', [id])).toEqual(
      [],
    );
    // The newer value forgotten, the older one is recalled again.
    const after = await ask(ann, 'what is my favourite number times 6', 'third');
    expect(after).toMatchObject({ status: 'completed', result: '7 * 6 = 42.' });

    // Forget me: another user may not; the user may, and nothing of theirs is recalled after.
    expect((await http('DELETE', '/memory/users/ann', bob)).status).toBe(403);
    const forgotMe = await http('DELETE', '/memory/users/ann', ann);
    expect(await forgotMe.json()).toEqual({
      userId: 'ann',
      deleted: 1,
      verified: true,
      recalls: expect.any(Number),
    });
    const gone = await ask(ann, 'what is my favourite number times 6', 'fifth');
    expect(gone).toMatchObject({ code: 'UNSUPPORTED' });
    // No run record of the tenant still holds what was recalled: not the recall, not a model request.
    const held = await stack.dbs.orchestrator.query(
      `SELECT id FROM "PlanningRound" WHERE "tenantId" = $1
         AND (context::text LIKE '%favourite number is%' OR coalesce(request::text, '') LIKE '%favourite number is%')`,
      [acme],
    );
    expect(held).toEqual([]);
  });

  it('replays a task whose recall was forgotten: it says so instead of showing it', async () => {
    const res = await http('POST', `/tasks/${second}/replay`, ann, {});
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const view = await waitFor(async () => {
      const r = await http('GET', `/tasks/${task_id}`, ann);
      const body = (await r.json()) as { status: string; result?: string; verdict?: unknown };
      return ['completed', 'failed'].includes(body.status) && body.verdict ? body : undefined;
    });
    expect(view.result).toBeUndefined();
    expect(view.verdict).toMatchObject({
      identical: false,
      divergence: { at: 'recall', got: { recalled: [] }, expected: { recalled: ['[forgotten]'] } },
      notes: [expect.stringContaining('1 recalled memory item forgotten since the task ran')],
    });
    expect(JSON.stringify(view)).not.toContain('favourite number is 7');
  });

  it('edits over HTTP: new tasks recall the new text, a replay keeps what its task recalled; refusals name why', async () => {
    const cyd: Who = { user: 'cyd', tenant: acme };
    const alan: Who = { user: 'alan', tenant: acme, role: 'admin' };
    const first = await ask(cyd, 'remember that my lucky number is 5', 'lucky');
    expect(first.status).toBe('completed');
    const before = await ask(cyd, 'what is my lucky number times 6', 'lucky-2');
    expect(before).toMatchObject({ status: 'completed', result: '5 * 6 = 30.' });
    const { items } = (await (await http('GET', '/memory', cyd)).json()) as {
      items: { id: string; content: string }[];
    };
    const id = items.find((i) => i.content === 'my lucky number is 5')!.id;
    const patch = (who: Who, body: unknown) => http('PATCH', `/memory/${id}`, who, body);

    // A bad body: 400, naming the field.
    for (const [body, message] of [
      [{}, 'invalid request body: content: give content, metadata or both'],
      [{ content: 42 }, 'invalid request body: content: '],
      [
        { content: 'x', namespace: { kind: 'tenant', key: 'handbook' } },
        'Unrecognized key: "namespace"',
      ],
    ] as const) {
      const res = await patch(cyd, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining(message),
      });
    }
    expect((await http('PATCH', '/memory/not-a-uuid', cyd, { content: 'x' })).status).toBe(400);
    // Not theirs to see: 404, as for an item that does not exist. The tenant's admin sees it but
    // does not write a user's memory: 403.
    for (const other of [bob, annG, adminG])
      expect((await patch(other, { content: 'x' })).status).toBe(404);
    const admin = await patch(alan, { content: 'my lucky number is 13' });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({
      code: 'FORBIDDEN',
      message: `you may not edit memory item ${id}: only its own user edits a user item`,
    });

    const res = await patch(cyd, { content: 'my lucky number is 8', metadata: { via: 'e2e' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      content: 'my lucky number is 8',
      metadata: { via: 'e2e' },
      namespace: { kind: 'user', key: 'cyd' },
    });
    const found = (await (await http('GET', '/memory/search?q=lucky', cyd)).json()) as {
      items: { content: string }[];
    };
    expect(found.items.map((i) => i.content)).toEqual(['my lucky number is 8']);
    const after = await ask(cyd, 'what is my lucky number times 6', 'lucky-3');
    expect(after).toMatchObject({ status: 'completed', result: '8 * 6 = 48.' });

    // The run record keeps what the task recalled, so its replay is identical.
    const replayed = await http('POST', `/tasks/${before.task_id}/replay`, cyd, {});
    expect(replayed.status).toBe(202);
    const { task_id } = (await replayed.json()) as { task_id: string };
    const view = await waitFor(async () => {
      const r = await http('GET', `/tasks/${task_id}`, cyd);
      const body = (await r.json()) as { status: string; result?: string; verdict?: unknown };
      return ['completed', 'failed'].includes(body.status) && body.verdict ? body : undefined;
    });
    expect(view).toMatchObject({ result: '5 * 6 = 30.', verdict: { identical: true } });
    const recorded = await stack.dbs.orchestrator.query(
      `SELECT id FROM "PlanningRound" WHERE "taskId" = $1 AND context::text LIKE '%my lucky number is 5%'`,
      [before.task_id],
    );
    expect(recorded).not.toEqual([]);
  });

  it('forgets one namespace over HTTP: its items and what tasks recalled of them; a replay notes it', async () => {
    const stored = await ask(annG, 'remember that my favourite number is 5', 'ns-first');
    expect(stored.status).toBe('completed');
    const answered = await ask(annG, 'what is my favourite number times 6', 'ns-second');
    expect(answered).toMatchObject({ status: 'completed', result: '5 * 6 = 30.' });

    // Not theirs: another user of the tenant; a path that is not a namespace, named.
    const bobG: Who = { user: 'bob', tenant: globex };
    expect((await http('DELETE', '/memory/namespaces/user/ann', bobG)).status).toBe(403);
    const bad = await http('DELETE', '/memory/namespaces/planet/ann', annG);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('path parameter kind');

    const forgot = await http('DELETE', '/memory/namespaces/user/ann', annG);
    expect(forgot.status).toBe(200);
    const body = (await forgot.json()) as { recalls: number };
    expect(body).toEqual({
      namespace: { kind: 'user', key: 'ann' },
      deleted: 1,
      verified: true,
      recalls: expect.any(Number),
    });
    expect(body.recalls).toBeGreaterThan(0);
    expect(
      await stack.dbs.tools.query(
        `SELECT id FROM "MemoryItem" WHERE "tenantId" = $1 AND "namespaceKey" = 'ann'`,
        [globex],
      ),
    ).toEqual([]);
    const held = await stack.dbs.orchestrator.query(
      `SELECT id FROM "PlanningRound" WHERE "tenantId" = $1
         AND (context::text LIKE '%favourite number is 5%' OR coalesce(request::text, '') LIKE '%favourite number is 5%')`,
      [globex],
    );
    expect(held).toEqual([]);

    const res = await http('POST', `/tasks/${answered.task_id}/replay`, annG, {});
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    const view = await waitFor(async () => {
      const r = await http('GET', `/tasks/${task_id}`, annG);
      const v = (await r.json()) as { status: string; verdict?: unknown };
      return ['completed', 'failed'].includes(v.status) && v.verdict ? v : undefined;
    });
    expect(view.verdict).toMatchObject({
      identical: false,
      divergence: { at: 'recall', expected: { recalled: ['[forgotten]'] } },
      notes: [expect.stringContaining('1 recalled memory item forgotten since the task ran')],
    });
    expect(JSON.stringify(view)).not.toContain('favourite number is 5');
  });

  it("pauses a task's tenant-wide write for approval under an admin's policy on memory.share", async () => {
    const alan: Who = { user: 'alan', tenant: acme, role: 'admin' };
    const policy = (body: unknown) => http('PUT', '/approval-policies/memory.share', alan, body);
    expect((await policy({ policy: {} })).status).toBe(200);
    try {
      const task =
        'call memory.share with {"content": "the office closes at 6pm", "namespace": {"kind": "tenant", "key": "handbook"}}';
      const res = await http('POST', '/orchestrate', alan, { task });
      expect(res.status).toBe(202);
      const waiting = (await res.json()) as {
        task_id: string;
        status: string;
        approval: { approvalId: string; target: string };
      };
      expect(waiting).toMatchObject({
        status: 'waiting_approval',
        approval: { target: 'memory.share' },
      });
      const shared = () =>
        stack.dbs.tools.query(
          `SELECT "namespaceKind", "writerTaskId" FROM "MemoryItem" WHERE "tenantId" = $1 AND content = $2`,
          [acme, 'the office closes at 6pm'],
        );
      expect(await shared()).toEqual([]);

      const decided = await http(
        'POST',
        `/tasks/${waiting.task_id}/approvals/${waiting.approval.approvalId}`,
        alan,
        { decision: 'approve' },
      );
      expect(decided.status).toBe(200);
      const done = await waitFor(async () => {
        const view = (await (await http('GET', `/tasks/${waiting.task_id}`, alan)).json()) as {
          status: string;
        };
        return ['completed', 'failed'].includes(view.status) ? view : undefined;
      });
      expect(done.status).toBe('completed');
      expect(await shared()).toEqual([{ namespaceKind: 'tenant', writerTaskId: waiting.task_id }]);
    } finally {
      await policy({ policy: null });
    }
  });

  it('lets the platform operator forget a namespace, a user and then the tenant over the CLI, counts only', async () => {
    const switchboard = (...args: string[]) =>
      runSwitchboardCli(stack.securedNats!.identities.admin.env, ...args);
    const stored = await ask(bob, 'remember that my car is red', 'car');
    expect(stored.status).toBe('completed');

    // One namespace: a tenant-wide one an admin shared, nothing else.
    const alan: Who = { user: 'alan', tenant: acme, role: 'admin' };
    const share = await http('POST', '/orchestrate', alan, {
      task: 'call memory.share with {"content": "the office opens at 8am", "namespace": {"kind": "tenant", "key": "notices"}}',
    });
    expect((await share.json()) as Answer).toMatchObject({ status: 'completed' });
    const ns = await switchboard(
      'memory',
      'forget-namespace',
      'tenant',
      'notices',
      '--tenant',
      acme,
      '--json',
    );
    expect(ns.status).toBe(0);
    expect(JSON.parse(ns.output.trim().split('\n').at(-1) ?? '')).toEqual({
      whom: `namespace tenant:notices in tenant ${acme}`,
      deleted: 1,
      recalls: 0,
      verified: true,
    });
    expect(ns.output).not.toContain('opens at 8am');
    expect(
      await stack.dbs.tools.query(
        `SELECT id FROM "MemoryItem" WHERE "tenantId" = $1 AND "namespaceKey" = 'notices'`,
        [acme],
      ),
    ).toEqual([]);

    const user = await switchboard('memory', 'forget-user', 'bob', '--tenant', acme, '--json');
    expect(user.status).toBe(0);
    expect(JSON.parse(user.output.trim().split('\n').at(-1) ?? '')).toEqual({
      whom: `user bob in tenant ${acme}`,
      deleted: 1,
      recalls: 0,
      verified: true,
    });
    expect(user.output).not.toContain('my car is red');
    expect(
      await stack.dbs.tools.query(
        `SELECT id FROM "MemoryItem" WHERE "tenantId" = $1 AND "ownerId" = 'bob'`,
        [acme],
      ),
    ).toEqual([]);

    const tenant = await switchboard('memory', 'forget-tenant', acme);
    expect(tenant.status).toBe(0);
    expect(tenant.output).toMatch(
      new RegExp(
        `forgot \\d+ memory items? of tenant ${acme} and emptied \\d+ recorded recalls? .*: verified`,
      ),
    );
    expect(
      await stack.dbs.tools.query('SELECT id FROM "MemoryItem" WHERE "tenantId" = $1', [acme]),
    ).toEqual([]);
    const refused = await switchboard('memory', 'forget-user', 'bob');
    expect(refused.status).toBe(2);
    expect(refused.output).toContain('--tenant is required');
  });
});
