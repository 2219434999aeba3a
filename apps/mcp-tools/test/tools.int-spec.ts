import { type Actor, type DomainError, Tools } from '@switchboard/contracts';
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
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

const redisPrefix = testRedisPrefix('tools');

// The real mcp-tools process against a private NATS, its own PostgreSQL database and a Redis prefix.
describe('mcp-tools (real process, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;
  const alice: Actor = { userId: `alice-${randomUUID()}`, role: 'user' };
  const admin: Actor = { userId: 'root', role: 'admin' };

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools', 'mcp-tools');
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
    });
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const call = (
    actor: Actor,
    tool: string,
    input: Record<string, unknown>,
    extra: Partial<Tools.ToolCallRequest> = {},
  ) => client.bus.request(Tools.ToolsCall, { tool, input, ...extra }, { actor });

  const failure = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('expected a failure');
  };

  it('evaluates arithmetic without eval', async () => {
    const r = await call(alice, 'calculator', { expression: '17 * 23' });
    expect(r.output).toEqual({ expression: '17 * 23', result: 391 });
    const refused = await failure(call(alice, 'calculator', { expression: 'process.exit(1)' }));
    expect(refused.code).toBe('VALIDATION');
    expect(refused.message).toMatch(/expression/);
  });

  it('stores notes in PostgreSQL, scoped to their owner', async () => {
    const added = await call(alice, 'notes.add', { content: '391', title: 'result' });
    const note = added.output as Tools.Note;
    const rows = await db.query<{ userId: string; content: string }>(
      'SELECT "userId", content FROM "Note" WHERE id = $1',
      [note.id],
    );
    expect(rows).toEqual([{ userId: alice.userId, content: '391' }]);
    expect((await call(alice, 'notes.get', { id: note.id })).output).toMatchObject({
      id: note.id,
      content: '391',
    });
    const other = await failure(
      call({ userId: 'mallory', role: 'user' }, 'notes.get', { id: note.id }),
    );
    expect(other.code).toBe('NOT_FOUND');
    expect((await call(admin, 'notes.get', { id: note.id })).output).toMatchObject({
      content: '391',
    });
  });

  it("lists the caller's own notes, newest first, and not another user's", async () => {
    const bob: Actor = { userId: `bob-${randomUUID()}`, role: 'user' };
    const carol: Actor = { userId: `carol-${randomUUID()}`, role: 'user' };
    // Back-dated a day: two inserts in a row may share a millisecond and so have no order.
    const older: Tools.Note = {
      id: randomUUID(),
      title: null,
      content: 'older',
      createdAt: new Date(Date.now() - 86_400_000).toISOString(),
    };
    await db.query(
      `INSERT INTO "Note" (id, "userId", title, content, "createdAt")
       VALUES ($1::uuid, $2, NULL, $3, $4::timestamp(3))`,
      [older.id, bob.userId, older.content, older.createdAt],
    );
    const newer = (await call(bob, 'notes.add', { content: 'newer', title: 'today' }))
      .output as Tools.Note;
    const carols = (await call(carol, 'notes.add', { content: 'not for bob' }))
      .output as Tools.Note;

    expect((await call(bob, 'notes.list', {})).output).toEqual({ notes: [newer, older] });
    expect((await call(bob, 'notes.list', { limit: 1 })).output).toEqual({ notes: [newer] });
    expect((await call(carol, 'notes.list', {})).output).toEqual({ notes: [carols] });
  });

  it('rejects an unknown tool and an input that fails its schema, naming the problem', async () => {
    const unknown = await failure(call(alice, 'frobnicate', {}));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('frobnicate');
    const bad = await failure(call(alice, 'notes.add', { content: 42, colour: 'red' }));
    expect(bad.code).toBe('VALIDATION');
    expect(bad.message).toContain('content');
    expect(bad.message).toContain('colour');
  });

  it('refuses a call without an acting user', async () => {
    const raw = await failure(
      client.bus.request(Tools.ToolsCall, { tool: 'calculator', input: { expression: '1' } }, {}),
    );
    expect(raw.code).toBe('UNAUTHORIZED');
  });

  it('applies custom constraints to manifests and to calls', async () => {
    const auto = await client.bus.request(Tools.ToolsManifest, {}, { actor: alice });
    expect(auto.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['calculator', 'notes.add', 'notes.get', 'time.now']),
    );
    const custom = await client.bus.request(
      Tools.ToolsManifest,
      { constraints: { mode: 'custom', providers: ['notes'] } },
      { actor: alice },
    );
    expect(custom.tools.map((t) => t.provider)).toEqual(expect.arrayContaining(['notes']));
    expect(custom.tools.every((t) => t.provider === 'notes')).toBe(true);
    const forced = await failure(
      call(
        alice,
        'calculator',
        { expression: '1+1' },
        { constraints: { mode: 'custom', providers: ['notes'] } },
      ),
    );
    expect(forced.code).toBe('FORBIDDEN');
    // The same manifest asked twice comes from the per-user cache.
    const again = await client.bus.request(Tools.ToolsManifest, {}, { actor: alice });
    expect(again.cached).toBe(true);
  });

  it('runs a non-idempotent call once per idempotency key', async () => {
    const key = `step-${randomUUID()}`;
    const first = await call(alice, 'notes.add', { content: 'once' }, { idempotencyKey: key });
    const second = await call(alice, 'notes.add', { content: 'once' }, { idempotencyKey: key });
    expect(second.replayed).toBe(true);
    expect(second.output).toEqual(first.output);
    const rows = await db.query('SELECT id FROM "Note" WHERE "userId" = $1 AND content = $2', [
      alice.userId,
      'once',
    ]);
    expect(rows).toHaveLength(1);
  });

  it('answers the typed no-responders error for a service that is not running', async () => {
    const e = await failure(
      client.bus.request(
        { ...Tools.ToolsCall, subject: 'sb.cmd.tools.nobody' as typeof Tools.ToolsCall.subject },
        { tool: 'calculator', input: {} },
        { actor: alice },
      ),
    );
    expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
