import { type Actor, Tools } from '@switchboard/contracts';
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
import { createHash, randomUUID } from 'node:crypto';
import { auditRecords, ensureStreams, failure } from './support.js';

const redisPrefix = testRedisPrefix('tools-memory');
const run = randomUUID().slice(0, 8);
const acme = `acme-${run}`;
const alice: Actor = { userId: `alice-${run}`, role: 'user', tenantId: acme };
const bob: Actor = { userId: `bob-${run}`, role: 'user', tenantId: acme };
const ann: Actor = { userId: `ann-${run}`, role: 'admin', tenantId: acme };
// The same user id in another tenant, that tenant's admin and the platform operator.
const globexAlice: Actor = { ...alice, tenantId: `globex-${run}` };
const globexAdmin: Actor = { userId: `gus-${run}`, role: 'admin', tenantId: `globex-${run}` };
const operator: Actor = { userId: `ops-${run}`, role: 'platform-admin', tenantId: `globex-${run}` };

type Recalled = { items: Tools.RecalledMemory[] };

// The real mcp-tools process on its own PostgreSQL database: the memory store and its tools.
describe('memory (real process, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;
  let orchestrator: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_memory', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    orchestrator = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
    });
  });

  afterAll(async () => {
    await client?.close();
    await orchestrator?.close();
    await service?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const call = (actor: Actor, tool: string, input: Record<string, unknown>, extra: object = {}) =>
    client.bus.request(Tools.ToolsCall, { tool, input, ...extra }, { actor });
  const recall = async (actor: Actor, query: string) =>
    (await call(actor, 'memory.recall', { query })).output as Recalled;
  const search = (actor: Actor, query: string) =>
    orchestrator.bus.request(Tools.MemorySearch, { query, limit: 5 }, { actor });

  it("stores a fact in the user's own namespace and finds it by full-text search from the words of another sentence", async () => {
    const stored = (await call(alice, 'memory.remember', { content: 'my favourite number is 7' }))
      .output as Tools.MemoryItem;
    expect(stored).toMatchObject({
      namespace: { kind: 'user', key: alice.userId },
      content: 'my favourite number is 7',
      writtenBy: { userId: alice.userId, taskId: null },
    });
    await call(alice, 'memory.remember', { content: 'my cat is called Tom' });

    const found = await recall(alice, 'what is my favourite number times 6');
    expect(found.items.map((i) => i.content)).toEqual(['my favourite number is 7']);
    const viaNats = await search(alice, 'favourite numbers');
    expect(viaNats.items.map((i) => i.id)).toEqual([stored.id]);
    const rows = await db.query<{ tenantId: string; search: string }>(
      'SELECT "tenantId", "search"::text AS search FROM "MemoryItem" WHERE id = $1',
      [stored.id],
    );
    expect(rows[0]?.tenantId).toBe(acme);
    expect(rows[0]?.search).toContain("'favourit'");
  });

  it('lets no other user, tenant, tenant admin or operator recall it; the own tenant admin lists it', async () => {
    for (const other of [bob, globexAlice, globexAdmin, operator]) {
      expect((await recall(other, 'favourite number')).items).toEqual([]);
      expect((await search(other, 'favourite number')).items).toEqual([]);
    }
    const named = { kind: 'user' as const, key: alice.userId };
    const refused = await failure(
      client.bus.request(Tools.MemoryList, { namespace: named }, { actor: bob }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    const audited = await waitFor(async () =>
      (await auditRecords(client)).find((r) => r.resource === `memory/user:${alice.userId}`),
    );
    expect(audited).toMatchObject({
      action: 'memory.list',
      outcome: 'denied',
      tenantId: acme,
      actor: { userId: bob.userId },
    });
    const otherTenant = await client.bus.request(
      Tools.MemoryList,
      { namespace: named },
      { actor: globexAdmin },
    );
    expect(otherTenant.items).toEqual([]);
    const listed = await client.bus.request(Tools.MemoryList, { namespace: named }, { actor: ann });
    expect(listed.items.map((i) => i.content).sort()).toEqual([
      'my cat is called Tom',
      'my favourite number is 7',
    ]);
  });

  it('shares tenant-wide with memory.share, an admin-only tool; every user of the tenant recalls it', async () => {
    const tenantNs = { kind: 'tenant', key: 'handbook' };
    const content = 'the office closes at 6pm';
    const refused = await failure(call(alice, 'memory.share', { content, namespace: tenantNs }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    const notPersonal = await failure(
      call(ann, 'memory.remember', { content, namespace: tenantNs }),
    );
    expect(notPersonal).toMatchObject({ code: 'VALIDATION' });
    expect(notPersonal.message).toContain('namespace');
    await call(ann, 'memory.share', { content, namespace: tenantNs });
    expect((await recall(bob, 'when does the office close')).items.map((i) => i.content)).toEqual([
      content,
    ]);
    expect((await recall(globexAlice, 'office close')).items).toEqual([]);
  });

  it("holds tenant-wide writes for approval once an admin's policy says so; a user's own stay immediate", async () => {
    const setPolicy = (policy: object | null) =>
      client.bus.request(Tools.ApprovalPolicySet, { tool: 'memory.share', policy }, { actor: ann });
    await setPolicy({ approvers: { roles: ['admin'] } });
    try {
      const held = await failure(
        call(ann, 'memory.share', {
          content: 'lunch is at noon',
          namespace: { kind: 'tenant', key: 'handbook' },
        }),
      );
      expect(held).toMatchObject({ code: 'FORBIDDEN' });
      expect(held.message).toContain("needs a person's approval");
      await expect(
        call(ann, 'memory.remember', { content: 'my desk is B12' }),
      ).resolves.toMatchObject({ output: { content: 'my desk is B12' } });
      const rows = await db.query('SELECT id FROM "MemoryItem" WHERE content = $1', [
        'lunch is at noon',
      ]);
      expect(rows).toEqual([]);
    } finally {
      await setPolicy(null);
    }
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    const before = await db.query('SELECT count(*)::int AS n FROM "MemoryItem"');
    const bad = await failure(
      call(alice, 'memory.remember', { content: 'x', namespace: { kind: 'planet', key: 'earth' } }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.message).toContain('namespace');
    const big = await failure(
      call(alice, 'memory.remember', { content: 'x', metadata: { blob: 'y'.repeat(5000) } }),
    );
    expect(big).toMatchObject({ code: 'VALIDATION' });
    expect(big.message).toContain('metadata');
    expect(await db.query('SELECT count(*)::int AS n FROM "MemoryItem"')).toEqual(before);
  });

  it('stores a keyed call once, and forgets an item with its search entry; another user cannot', async () => {
    const key = `task-${run}:s1`;
    const first = await call(
      alice,
      'memory.remember',
      { content: 'I live in Lyon' },
      { idempotencyKey: key },
    );
    const again = await call(
      alice,
      'memory.remember',
      { content: 'I live in Lyon' },
      { idempotencyKey: key },
    );
    expect(again.output).toEqual(first.output);
    const id = (first.output as Tools.MemoryItem).id;
    expect(
      await db.query('SELECT id FROM "MemoryItem" WHERE "idempotencyKey" = $1', [key]),
    ).toEqual([{ id }]);

    // Not theirs: answered as an item that is gone, and kept.
    for (const other of [bob, globexAlice, globexAdmin]) {
      await expect(call(other, 'memory.forget', { id })).resolves.toMatchObject({
        output: { id, deleted: false },
      });
    }
    expect(await db.query('SELECT id FROM "MemoryItem" WHERE id = $1', [id])).toEqual([{ id }]);
    await expect(call(alice, 'memory.forget', { id })).resolves.toMatchObject({
      output: { id, deleted: true },
    });
    await expect(client.bus.request(Tools.MemoryDelete, { id }, { actor: alice })).resolves.toEqual(
      { id, deleted: false },
    );
    expect((await recall(alice, 'where do I live Lyon')).items).toEqual([]);

    // Audited: each attempt in the tenant of whoever tried, naming only the id; the forget itself
    // with the content's hash, never the content.
    const resource = `memory/${id}`;
    const records = await waitFor(async () => {
      const rows = (await auditRecords(client)).filter((r) => r.resource === resource);
      return rows.length >= 4 ? rows : undefined;
    });
    const seen = records.map((r) => [r.outcome, r.tenantId, r.actor.userId, r.details['reason']]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['denied', acme, bob.userId, 'not_owner'],
        ['denied', globexAlice.tenantId, alice.userId, 'other_tenant'],
        ['denied', globexAdmin.tenantId, globexAdmin.userId, 'other_tenant'],
        ['success', acme, alice.userId, undefined],
      ]),
    );
    const forgotten = records.find((r) => r.outcome === 'success');
    expect(forgotten?.details).toEqual({
      namespace: `user:${alice.userId}`,
      contentSha256: createHash('sha256').update('I live in Lyon').digest('hex'),
    });
    expect(JSON.stringify(records)).not.toContain('Lyon');
    expect(await db.query('SELECT id FROM "MemoryItem" WHERE id = $1', [id])).toEqual([]);
  });

  it('forgets a whole user on request: all of theirs and nothing else, audited with hashes, verified', async () => {
    const carol: Actor = { userId: `carol-${run}`, role: 'user', tenantId: acme };
    const globexCarol: Actor = { ...carol, tenantId: globexAlice.tenantId! };
    await call(carol, 'memory.remember', { content: 'my shoe size is 38' });
    await call(carol, 'memory.remember', {
      content: 'we talked about shoes',
      namespace: { kind: 'thread', key: 'th-1' },
    });
    await call(globexCarol, 'memory.remember', { content: 'my shoe size is 40' });
    const forget = (actor: Actor) =>
      client.bus.request(Tools.MemoryForgetUser, { userId: carol.userId }, { actor });

    expect((await failure(forget(bob))).code).toBe('FORBIDDEN');
    await expect(forget(ann)).resolves.toEqual({
      userId: carol.userId,
      deleted: 2,
      verified: true,
    });
    const left = await db.query<{ tenantId: string; content: string }>(
      'SELECT "tenantId", content FROM "MemoryItem" WHERE "writerUserId" = $1',
      [carol.userId],
    );
    expect(left).toEqual([{ tenantId: globexCarol.tenantId, content: 'my shoe size is 40' }]);
    expect((await recall(alice, 'office close')).items).toHaveLength(1); // others' untouched
    await expect(forget(carol)).resolves.toEqual({
      userId: carol.userId,
      deleted: 0,
      verified: true,
    });

    const audited = await waitFor(async () =>
      (await auditRecords(client)).find(
        (r) =>
          r.action === 'memory.forget-user' &&
          r.outcome === 'success' &&
          r.details['deleted'] === 2,
      ),
    );
    expect(audited).toMatchObject({ tenantId: acme, actor: { userId: ann.userId } });
    const hashes = audited.details['contentSha256'] as string[];
    expect(hashes.sort()).toEqual(
      ['my shoe size is 38', 'we talked about shoes']
        .map((c) => createHash('sha256').update(c).digest('hex'))
        .sort(),
    );
    expect(JSON.stringify(audited)).not.toContain('shoe');
  });

  it('edits an item: only its own user may; search finds the new words and never the old; audited with hashes, not content', async () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const before = 'my favourite colour is turquoise';
    const after = 'my favourite colour is vermilion';
    const { id } = (await call(alice, 'memory.remember', { content: before }))
      .output as Tools.MemoryItem;
    const edit = (actor: Actor, change: Tools.MemoryChange) =>
      client.bus.request(Tools.MemoryUpdate, { id, ...change }, { actor });

    // Another user of the tenant, the same user id in another tenant, that tenant's admin: not
    // theirs to see, so not found (ids cannot be probed). The tenant's admin sees it but may not
    // write a user's namespace: refused, saying why. Nothing changed.
    for (const other of [bob, globexAlice, globexAdmin]) {
      const refused = await failure(edit(other, { content: 'mine now' }));
      expect({ code: refused.code, message: refused.message }).toEqual({
        code: 'NOT_FOUND',
        message: `memory item ${id} not found (or not yours)`,
      });
    }
    const admin = await failure(edit(ann, { content: 'overwritten by an admin' }));
    expect({ code: admin.code, message: admin.message }).toEqual({
      code: 'FORBIDDEN',
      message: `you may not edit memory item ${id}: only its own user edits a user item`,
    });
    const row = () =>
      db.query<{ content: string; search: string; metadata: unknown }>(
        'SELECT content, "search"::text AS search, metadata FROM "MemoryItem" WHERE id = $1',
        [id],
      );
    expect((await row())[0]?.content).toBe(before);

    const edited = await edit(alice, { content: after });
    expect(edited).toMatchObject({
      id,
      content: after,
      namespace: { kind: 'user', key: alice.userId },
      writtenBy: { userId: alice.userId },
    });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(edited.createdAt));
    expect((await search(alice, 'vermilion')).items.map((i) => i.id)).toEqual([id]);
    expect((await recall(alice, 'is my colour turquoise')).items.map((i) => i.content)).toEqual([
      after,
    ]);
    expect((await search(alice, 'turquoise')).items).toEqual([]);
    expect((await row())[0]?.search).toContain("'vermilion'");
    expect((await row())[0]?.search).not.toContain('turquois');

    // Metadata alone: the content (and its search entry) stays.
    const tagged = await edit(alice, { metadata: { source: 'kiosk' } });
    expect(tagged).toMatchObject({ content: after, metadata: { source: 'kiosk' } });

    const records = await waitFor(async () => {
      const rows = (await auditRecords(client)).filter((r) => r.resource === `memory/${id}`);
      return rows.filter((r) => r.action === 'memory.update').length >= 6 ? rows : undefined;
    });
    const seen = records.map((r) => [r.outcome, r.tenantId, r.actor.userId, r.details['reason']]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['denied', acme, bob.userId, 'not_owner'],
        ['denied', globexAlice.tenantId, alice.userId, 'other_tenant'],
        ['denied', globexAdmin.tenantId, globexAdmin.userId, 'other_tenant'],
        ['denied', acme, ann.userId, 'not_owner'],
      ]),
    );
    const done = records
      .filter((r) => r.action === 'memory.update' && r.outcome === 'success')
      .map((r) => r.details);
    expect(done).toEqual([
      {
        namespace: `user:${alice.userId}`,
        changed: ['content'],
        contentSha256Before: sha(before),
        contentSha256After: sha(after),
      },
      {
        namespace: `user:${alice.userId}`,
        changed: ['metadata'],
        contentSha256Before: sha(after),
        contentSha256After: sha(after),
      },
    ]);
    expect(JSON.stringify(records)).not.toMatch(/turquoise|vermilion|kiosk/);
  });

  it("lets only the tenant's admins edit its shared memory", async () => {
    const handbook = { kind: 'tenant' as const, key: `rules-${run}` };
    const { id } = (
      await call(ann, 'memory.share', { content: 'the canteen opens at 11', namespace: handbook })
    ).output as Tools.MemoryItem;
    const refused = await failure(
      client.bus.request(Tools.MemoryUpdate, { id, content: 'free lunch' }, { actor: alice }),
    );
    expect(refused.message).toBe(`you may not edit memory item ${id}: needs the admin role`);
    await expect(
      client.bus.request(
        Tools.MemoryUpdate,
        { id, content: 'the canteen opens at 12' },
        { actor: ann },
      ),
    ).resolves.toMatchObject({ content: 'the canteen opens at 12', namespace: handbook });
    expect((await recall(bob, 'when does the canteen open')).items.map((i) => i.content)).toEqual([
      'the canteen opens at 12',
    ]);
  });

  it('forgets one namespace: only it, as far as the caller may, in their tenant only; audited with hashes, verified', async () => {
    const dave: Actor = { userId: `dave-${run}`, role: 'user', tenantId: acme };
    const erin: Actor = { userId: `erin-${run}`, role: 'user', tenantId: acme };
    const globexDave: Actor = { ...dave, tenantId: globexAlice.tenantId! };
    const mine = { kind: 'user' as const, key: dave.userId };
    const thread = { kind: 'thread' as const, key: `th-${run}` };
    const notices = { kind: 'tenant' as const, key: `notices-${run}` };
    const put = async (actor: Actor, tool: string, content: string, namespace?: object) =>
      (
        (await call(actor, tool, { content, ...(namespace ? { namespace } : {}) }))
          .output as Tools.MemoryItem
      ).id;
    const own = [
      await put(dave, 'memory.remember', 'my bike is green'),
      await put(dave, 'memory.remember', 'my desk is by the window'),
    ];
    await put(dave, 'memory.remember', 'we planned the trip', thread);
    await put(erin, 'memory.remember', 'I booked the train', thread);
    await put(ann, 'memory.share', 'the office opens at 8', notices);
    await put(globexDave, 'memory.remember', 'my bike is blue');
    const forget = (actor: Actor, namespace: Tools.MemoryNamespace) =>
      client.bus.request(Tools.MemoryForgetNamespace, { namespace }, { actor });
    // What is left of the three namespaces (and of nothing else) in a tenant.
    const contents = async (tenantId: string) =>
      (
        await db.query<{ content: string }>(
          `SELECT content FROM "MemoryItem" WHERE "tenantId" = $1 AND "namespaceKey" = ANY($2)
           ORDER BY content`,
          [tenantId, [mine.key, thread.key, notices.key]],
        )
      ).map((r) => r.content);

    // Not theirs to forget: another user's namespace, a shared one without the admin role.
    expect((await failure(forget(bob, mine))).code).toBe('FORBIDDEN');
    expect((await failure(forget(dave, notices))).code).toBe('FORBIDDEN');
    // Another tenant's admin forgets the namespace of that name in their own tenant, never acme's.
    await expect(forget(globexAdmin, mine)).resolves.toMatchObject({ deleted: 1, verified: true });
    expect(await contents(acme)).toEqual([
      'I booked the train',
      'my bike is green',
      'my desk is by the window',
      'the office opens at 8',
      'we planned the trip',
    ]);

    // A thread: only the caller's own items in it; erin's stay.
    await expect(forget(dave, thread)).resolves.toMatchObject({ deleted: 1, verified: true });
    const forgotten = await forget(dave, mine);
    expect(forgotten).toEqual({
      namespace: mine,
      deleted: 2,
      verified: true,
      ids: expect.any(Array),
    });
    expect([...forgotten.ids].sort()).toEqual([...own].sort());
    await expect(forget(ann, notices)).resolves.toMatchObject({ deleted: 1, verified: true });
    expect(await contents(acme)).toEqual(['I booked the train']);
    // Vectors and search entries are columns of the deleted rows: nothing of them is searchable.
    expect((await recall(dave, 'bike desk window')).items).toEqual([]);
    await expect(forget(dave, mine)).resolves.toEqual({
      namespace: mine,
      deleted: 0,
      verified: true,
      ids: [],
    });

    const audited = await waitFor(async () =>
      (await auditRecords(client)).find(
        (r) =>
          r.action === 'memory.forget-namespace' &&
          r.resource === `memory/user:${dave.userId}` &&
          r.outcome === 'success' &&
          r.details['deleted'] === 2,
      ),
    );
    expect(audited).toMatchObject({ tenantId: acme, actor: { userId: dave.userId } });
    expect((audited.details['contentSha256'] as string[]).sort()).toEqual(
      ['my bike is green', 'my desk is by the window']
        .map((c) => createHash('sha256').update(c).digest('hex'))
        .sort(),
    );
    expect(JSON.stringify(audited)).not.toMatch(/bike|desk/);
    const denied = await waitFor(async () =>
      (await auditRecords(client)).find(
        (r) =>
          r.action === 'memory.forget-namespace' &&
          r.outcome === 'denied' &&
          r.resource === `memory/user:${dave.userId}`,
      ),
    );
    expect(denied).toMatchObject({ tenantId: acme, actor: { userId: bob.userId } });
  });

  it('offers the memory tools like any other, with their provider', async () => {
    const manifest = await client.bus.request(Tools.ToolsManifest, {}, { actor: alice });
    const memory = manifest.tools.filter((t) => t.provider === 'memory').map((t) => t.name);
    expect(memory.sort()).toEqual(['memory.forget', 'memory.recall', 'memory.remember']);
    const forAdmins = await client.bus.request(Tools.ToolsManifest, {}, { actor: ann });
    expect(forAdmins.tools.map((t) => t.name)).toContain('memory.share');
  });
});
