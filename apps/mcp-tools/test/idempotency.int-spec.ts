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
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failure, writeToolsFile } from './support.js';

const redisPrefix = testRedisPrefix('tools-idem');

/** A shop API that records every order and holds each answer until the test releases it. */
async function startShop(): Promise<{
  url: string;
  orders: unknown[];
  release(): void;
  close(): Promise<void>;
}> {
  const orders: unknown[] = [];
  const held: ServerResponse[] = [];
  let released = false;
  const answer = (res: ServerResponse) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ orderId: `order-${orders.length}` }));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      orders.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (released) answer(res);
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    orders,
    release: () => {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const toolsFile = (url: string) => `
tools:
  - name: shop.order
    description: Places an order (not idempotent).
    provider: shop
    inputSchema: { type: object, properties: { item: { type: string } }, required: [item] }
    handler: { kind: http_endpoint, url: "${url}", method: POST }
    timeoutMs: 20000
  - name: shop.quick_order
    description: Places an order, with a short timeout.
    provider: shop
    inputSchema: { type: object, properties: { item: { type: string } }, required: [item] }
    handler: { kind: http_endpoint, url: "${url}", method: POST }
    timeoutMs: 100
`;

// A repeated call with an idempotency key (an orchestrator resuming a task after a crash) must never
// run a non-idempotent tool a second time: it waits for the first call, or learns it was interrupted.
describe('idempotent tool calls (real process, NATS, PostgreSQL, Redis; stub shop API)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;
  let shop: Awaited<ReturnType<typeof startShop>>;
  const alice: Actor = { userId: `alice-${randomUUID().slice(0, 8)}`, role: 'user' };

  beforeAll(async () => {
    shop = await startShop();
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_idem', 'mcp-tools');
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TOOLS_FILE: writeToolsFile('tools.yaml', toolsFile(shop.url)),
    });
    client = await createBusClient(nats.url, 'orchestrator');
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await shop?.close();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const order = (tool: string, idempotencyKey: string) =>
    client.bus.request(
      Tools.ToolsCall,
      { tool, input: { item: 'book' }, idempotencyKey },
      { actor: alice },
    );
  /** A row as a call that is running (or whose replica died) leaves it; `ago` is a PostgreSQL interval. */
  const insertRunning = (key: string, tool: string, ago: string) =>
    db.query(
      // The column holds UTC without a zone (Prisma's DateTime), whatever the server's time zone.
      `INSERT INTO "ToolCall" ("idempotencyKey", "userId", tool, status, "createdAt")
       VALUES ($1, $2, $3, 'running', (now() AT TIME ZONE 'UTC') - $4::interval)`,
      [key, alice.userId, tool, ago],
    );

  it('a repeat that finds the call still running waits for it and gets its result; the tool runs once', async () => {
    const key = `task-${randomUUID()}:r1_c1`;
    const first = order('shop.order', key);
    await waitFor(() => shop.orders.length === 1, { what: 'the first call to reach the shop' });
    const repeat = order('shop.order', key);
    await waitFor(
      () =>
        service
          .logs()
          .split('\n')
          .some(
            (l) =>
              l.includes(key) &&
              l.includes('waiting for the running call with the same idempotency key'),
          ),
      { what: 'the repeat to wait for the running call' },
    );
    shop.release();
    const [a, b] = await Promise.all([first, repeat]);
    expect(a).toMatchObject({ output: { orderId: 'order-1' }, replayed: false });
    expect(b).toMatchObject({ output: { orderId: 'order-1' }, replayed: true });
    expect(shop.orders).toHaveLength(1);
  });

  it('a call whose replica died mid-call is reported interrupted, never run again', async () => {
    const key = `task-${randomUUID()}:r1_c1`;
    await insertRunning(key, 'shop.order', '1 hour');
    const before = shop.orders.length;
    const e = await failure(order('shop.order', key));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(
      /^an earlier call of shop\.order with this idempotency key \(started .+\) was interrupted before it finished; shop\.order is not idempotent, so it is not run again/,
    );
    expect(e.details).toMatchObject({ tool: 'shop.order', interrupted: true });
    const [row] = await db.query<{ status: string }>(
      'SELECT status FROM "ToolCall" WHERE "idempotencyKey" = $1',
      [key],
    );
    expect(row).toEqual({ status: 'interrupted' });
    // Every later repeat gets the same answer, and the shop never saw an order.
    expect((await failure(order('shop.order', key))).message).toBe(e.message);
    expect(shop.orders).toHaveLength(before);
  });

  /** A running row whose replica stopped renewing its lease `ago` (a PostgreSQL interval) ago. */
  const insertLost = (key: string, tool: string, ago: string) =>
    db.query(
      `INSERT INTO "ToolCall" ("idempotencyKey", "userId", tool, status, "createdAt", owner, "heartbeatAt")
       VALUES ($1, $2, $3, 'running', (now() AT TIME ZONE 'UTC') - $4::interval, 'gone-replica',
               (now() AT TIME ZONE 'UTC') - $4::interval)`,
      [key, alice.userId, tool, ago],
    );
  const note = (idempotencyKey: string, content: string) =>
    client.bus.request(
      Tools.ToolsCall,
      { tool: 'notes.add', input: { content }, idempotencyKey },
      { actor: alice },
    );
  const notesWith = async (content: string) =>
    (await db.query<{ id: string }>('SELECT id FROM "Note" WHERE content = $1', [content])).map(
      (r) => r.id,
    );

  it('notes.add stores its note and its completed record together: the same key again, or at once, is one note', async () => {
    const key = `task-${randomUUID()}:s1`;
    const content = `one statement ${randomUUID()}`;
    const first = await note(key, content);
    expect(first).toMatchObject({ output: { content }, replayed: false });
    const [stored] = await notesWith(content);
    const [row] = await db.query<{ status: string; output: unknown }>(
      'SELECT status, output FROM "ToolCall" WHERE "idempotencyKey" = $1',
      [key],
    );
    expect(row).toEqual({ status: 'completed', output: first.output });
    expect(first.output).toMatchObject({ id: stored });
    // Retried (a lost reply), and redelivered three times at once: the first call's note, no other.
    expect(await note(key, content)).toMatchObject({ output: { id: stored }, replayed: true });
    const together = `task-${randomUUID()}:s1`;
    const replies = await Promise.all([1, 2, 3].map(() => note(together, `${content} again`)));
    expect(replies.filter((r) => !r.replayed)).toHaveLength(1);
    const ids = await notesWith(`${content} again`);
    expect(ids).toHaveLength(1);
    expect(replies.map((r) => (r.output as { id: string }).id)).toEqual([ids[0], ids[0], ids[0]]);
    expect(await notesWith(content)).toEqual([stored]);
  });

  it('notes.add whose key has a note but no record (an earlier run) answers with that note, recorded', async () => {
    const key = `task-${randomUUID()}:s4`;
    const content = `note without record ${randomUUID()}`;
    const earlier = randomUUID();
    await db.query(
      `INSERT INTO "Note" (id, "userId", content, "createdAt", "idempotencyKey")
       VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC', $4)`,
      [earlier, alice.userId, content, key],
    );
    expect(await note(key, content)).toMatchObject({ output: { id: earlier }, replayed: false });
    expect(await note(key, content)).toMatchObject({ output: { id: earlier }, replayed: true });
    expect(await notesWith(content)).toEqual([earlier]);
  });

  it('notes.add under a key refused before (a quota) stores its note once admitted', async () => {
    const key = `task-${randomUUID()}:s3`;
    const content = `refused before ${randomUUID()}`;
    await db.query(
      `INSERT INTO "ToolCall" ("idempotencyKey", "userId", tool, status, error, "createdAt")
       VALUES ($1, $2, 'notes.add', 'refused', $3::jsonb, now() AT TIME ZONE 'UTC')`,
      [
        key,
        alice.userId,
        JSON.stringify({ code: 'RATE_LIMITED', message: 'quota', retryable: true }),
      ],
    );
    expect(await note(key, content)).toMatchObject({ output: { content }, replayed: false });
    expect(await note(key, content)).toMatchObject({ output: { content }, replayed: true });
    expect(await notesWith(content)).toHaveLength(1);
  });

  it("a repeat of a call lost with its replica is not made to wait for the tool's timeout: interrupted at once", async () => {
    const key = `task-${randomUUID()}:r1_c1`;
    // Started a second ago (its 20 s timeout far off) on a replica whose lease went stale.
    await insertLost(key, 'shop.order', '10 seconds');
    const started = Date.now();
    const e = await failure(order('shop.order', key));
    expect(e).toMatchObject({ code: 'CONFLICT', details: { interrupted: true } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('notes.add lost with its replica after storing its note runs again under its key and finds that note: one note', async () => {
    const key = `task-${randomUUID()}:s2`;
    const content = `lost after commit ${randomUUID()}`;
    await insertLost(key, 'notes.add', '10 seconds');
    // What the dead replica committed before it could record the call as completed.
    const stored = randomUUID();
    await db.query(
      `INSERT INTO "Note" (id, "userId", content, "createdAt", "idempotencyKey")
       VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC', $4)`,
      [stored, alice.userId, content, key],
    );
    const reply = await note(key, content);
    expect(reply).toMatchObject({ output: { id: stored, content }, replayed: false });
    expect(await notesWith(content)).toEqual([stored]);
    const [row] = await db.query<{ status: string }>(
      'SELECT status FROM "ToolCall" WHERE "idempotencyKey" = $1',
      [key],
    );
    expect(row).toEqual({ status: 'completed' });
    // Later repeats replay it.
    expect(await note(key, content)).toMatchObject({ output: { id: stored }, replayed: true });
  });

  it('notes.add lost with its replica before storing anything runs again and stores one note', async () => {
    const key = `task-${randomUUID()}:s2`;
    const content = `lost before commit ${randomUUID()}`;
    await insertLost(key, 'notes.add', '10 seconds');
    const reply = await note(key, content);
    expect(reply).toMatchObject({ output: { content }, replayed: false });
    expect(await notesWith(content)).toHaveLength(1);
  });

  // shop.quick_order's timeout (100 ms) plus the finishing grace (2 s) is what this test waits out.
  it('a repeat waiting on a call that never finishes gets "interrupted" once its timeout has passed', async () => {
    const key = `task-${randomUUID()}:r1_c1`;
    await insertRunning(key, 'shop.quick_order', '0 seconds');
    const before = shop.orders.length;
    const e = await failure(order('shop.quick_order', key));
    expect(e.code).toBe('CONFLICT');
    expect(e.details).toMatchObject({ tool: 'shop.quick_order', interrupted: true });
    expect(service.logs()).toMatch(
      new RegExp(`${key}.*waiting for the running call with the same idempotency key`),
    );
    expect(shop.orders).toHaveLength(before);
  });
});
