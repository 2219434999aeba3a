import {
  collectSse,
  type EmbeddingsStub,
  startEmbeddingsStub,
  startStack,
  type Stack,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** Someone acting in a tenant (dev auth with TENANCY=true: X-User-Id, X-User-Role, X-Tenant-Id). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

/**
 * The memory demo with search by meaning (docs/memory.md): mcp-tools configured with an
 * OpenAI-compatible embeddings endpoint (a real HTTP stub answering deterministic vectors), the
 * built-in planner. "my favourite number is 7" said in one thread is recalled by meaning in another,
 * and the answer is 42; no one else, in the tenant or outside it, recalls it. Real processes on NATS
 * with identities, PostgreSQL, Redis.
 */
describe('long-term memory by meaning across threads (real processes, embeddings stub)', () => {
  let stack: Stack;
  let stub: EmbeddingsStub;
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const ann: Who = { user: 'ann', tenant: acme };
  const bob: Who = { user: 'bob', tenant: acme };
  const annG: Who = { user: 'ann', tenant: `globex-${stamp}` };
  const adminG: Who = { user: 'gina', tenant: `globex-${stamp}`, role: 'admin' };
  const operator: Who = { user: 'olga', tenant: 'ops', role: 'platform-admin' };

  beforeAll(async () => {
    stub = await startEmbeddingsStub();
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
      natsIdentities: true,
      env: {
        gateway: { TENANCY: 'true' },
        'mcp-tools': {
          MEMORY_EMBEDDINGS_BASE_URL: stub.baseUrl,
          MEMORY_EMBEDDINGS_MODEL: 'stub-embed',
          MEMORY_EMBEDDINGS_DIMENSIONS: '128',
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await stub?.stop();
    expect(refused).toEqual([]);
  });

  const ask = async (who: Who, task: string, thread: string) => {
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
    return (await res.json()) as {
      status: string;
      result?: string;
      code?: string;
      task_id?: string;
    };
  };

  it('remembers with a vector in one thread and answers 42 in another, recalled by meaning', async () => {
    const stored = await ask(ann, 'remember that my favourite number is 7', 'first');
    expect(stored).toMatchObject({
      status: 'completed',
      result: 'I will remember that my favourite number is 7.',
    });
    const rows = await stack.dbs.tools.query<Record<string, unknown>>(
      `SELECT "tenantId", length("embedding") AS "bytes", "embeddingModel" FROM "MemoryItem"
       WHERE content = 'my favourite number is 7'`,
    );
    expect(rows).toEqual([{ tenantId: acme, bytes: 128 * 4, embeddingModel: 'stub-embed@128' }]);

    const question = 'what is my favourite number times 6';
    const answered = await ask(ann, question, 'second');
    expect(answered).toMatchObject({ status: 'completed', result: '7 * 6 = 42.' });
    // The planner's recall embedded the task's text, and the run record says how it was found.
    expect(stub.requests.some((r) => JSON.stringify(r.body.input).includes(question))).toBe(true);
    const [round] = await stack.dbs.orchestrator.query<{ context: { recalled?: unknown[] } }>(
      'SELECT "context" FROM "PlanningRound" WHERE "taskId" = $1 ORDER BY "iteration" LIMIT 1',
      [answered.task_id],
    );
    expect(round?.context.recalled).toEqual([
      expect.objectContaining({ content: 'my favourite number is 7', matchedBy: 'meaning' }),
    ]);

    // On the task's timeline: which memory it recalled (the item, not what it says).
    const res = await fetch(`${stack.gatewayUrl}/tasks/${answered.task_id}/events`, {
      headers: { 'x-user-id': ann.user, 'x-user-role': 'user', 'x-tenant-id': ann.tenant },
    });
    const events = (await collectSse(res)).map((e) => ({
      name: e.event,
      data: JSON.parse(e.data),
    }));
    const recalled = events.filter((e) => e.name === 'orchestrator.memory.recalled');
    expect(recalled).toHaveLength(1);
    expect(recalled[0]?.data.data).toEqual({
      count: 1,
      items: [
        {
          id: (round?.context.recalled?.[0] as { id?: string } | undefined)?.id,
          namespace: { kind: 'user', key: 'ann' },
          score: expect.closeTo(2 / 3, 5),
          matchedBy: 'meaning',
        },
      ],
    });
    expect(JSON.stringify(recalled)).not.toContain('favourite');
    const names = events.map((e) => e.name);
    expect(names.indexOf('orchestrator.memory.recalled')).toBeLessThan(
      names.indexOf('orchestrator.planning.started'),
    );
  });

  it("lets no other user, tenant, tenant admin or operator recall ann's fact", async () => {
    for (const other of [bob, annG, adminG, operator]) {
      const theirs = await ask(other, 'what is my favourite number times 6', 'other');
      expect(theirs.result).toBeUndefined();
      expect(theirs).toMatchObject({ code: 'UNSUPPORTED' });
    }
  });

  it('searches by meaning over HTTP, only in what the caller may read', async () => {
    const get = (who: Who, path: string) =>
      fetch(`${stack.gatewayUrl}${path}`, {
        headers: {
          'x-user-id': who.user,
          'x-user-role': who.role ?? 'user',
          'x-tenant-id': who.tenant,
        },
      });
    const q = encodeURIComponent('which figure do I like best');
    const found = await get(ann, `/memory/search?q=${q}`);
    expect(found.status).toBe(200);
    const body = (await found.json()) as { items: { content: string; matchedBy: string }[] };
    expect(body.items.map((i) => [i.content, i.matchedBy])).toEqual([
      ['my favourite number is 7', 'meaning'],
    ]);
    for (const other of [bob, annG, adminG, operator]) {
      expect(await (await get(other, `/memory/search?q=${q}`)).json()).toEqual({ items: [] });
    }
    expect((await get(bob, `/memory/search?q=${q}&kind=user&key=ann`)).status).toBe(403);
    const bad = await get(ann, '/memory/search?kind=user');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('q');
  });

  it("removes all of a tenant's memory over HTTP: the platform operator may, a user may not", async () => {
    const del = (who: Who, path: string) =>
      fetch(`${stack.gatewayUrl}${path}`, {
        method: 'DELETE',
        headers: {
          'x-user-id': who.user,
          'x-user-role': who.role ?? 'user',
          'x-tenant-id': who.tenant,
        },
      });
    expect((await del(bob, `/memory/tenants/${acme}`)).status).toBe(403);
    expect((await del(adminG, `/memory/tenants/${acme}`)).status).toBe(403);
    expect((await del(operator, '/memory/tenants/not%20a%20tenant')).status).toBe(400);
    const removed = await del(operator, `/memory/tenants/${acme}`);
    expect(removed.status).toBe(200);
    // the store, and what the tenant's tasks recalled of it in their run records
    expect(await removed.json()).toEqual({
      tenantId: acme,
      deleted: 1,
      verified: true,
      recalls: expect.any(Number),
    });
    expect(
      await stack.dbs.orchestrator.query(
        `SELECT id FROM "PlanningRound" WHERE "tenantId" = $1 AND context::text LIKE '%favourite number%'`,
        [acme],
      ),
    ).toEqual([]);
    const left = await stack.dbs.tools.query('SELECT id FROM "MemoryItem" WHERE "tenantId" = $1', [
      acme,
    ]);
    expect(left).toEqual([]);
  });
});
