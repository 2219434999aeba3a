import { PrismaPg } from '@prisma/adapter-pg';
import type { Tasks, Webhooks } from '@switchboard/contracts';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaClient } from '../src/generated/prisma/client.js';
import type { PrismaService } from '../src/prisma/prisma.service.js';
import {
  matchingInsert,
  WebhookDeliveryRepository,
} from '../src/webhooks/delivery/webhook-delivery.repository.js';
import { EnqueueDeliveriesUseCase } from '../src/webhooks/enqueue-deliveries/enqueue-deliveries.use-case.js';
import type { WebhookMetrics } from '../src/webhooks/webhook.metrics.js';
import { WebhookRepository } from '../src/webhooks/webhook.repository.js';

/** A node of EXPLAIN (FORMAT JSON)'s plan, as far as these tests read it. */
type PlanNode = {
  Plan: PlanNode;
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
};
const nodesOf = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodesOf)];

// Task events matched against the webhooks that want them and stored as deliveries, in ONE statement
// per batch, on a real, migrated PostgreSQL: what the task's row and the tenant's subscriptions say,
// exactly once per webhook and event however often a batch is consumed. And a dead letter sent again.
describe('webhook deliveries enqueued in one statement (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  let statements = 0;
  let sut: EnqueueDeliveriesUseCase;
  let subscriptions: WebhookRepository;
  let repository: WebhookDeliveryRepository;

  beforeAll(async () => {
    db = await createTestDatabase('orch_webhook_enqueue', 'orchestrator');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    // Prisma takes a connection from the pool for every statement outside a transaction and once
    // for each transaction: what the database is asked, counted.
    pool.on('acquire', () => statements++);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await prisma.$connect();
    const service = prisma as unknown as PrismaService;
    subscriptions = new WebhookRepository(service);
    const metrics = { enqueued: { inc: () => undefined } } as unknown as WebhookMetrics;
    repository = new WebhookDeliveryRepository(service);
    sut = new EnqueueDeliveriesUseCase(repository, metrics, {
      WEBHOOK_RETRY_FOR_MS: 60_000,
    });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const task = async (
    tenantId: string,
    userId: string,
    webhook?: Webhooks.TaskWebhook,
  ): Promise<string> => {
    const id = randomUUID();
    await prisma.task.create({
      data: {
        id,
        tenantId,
        userId,
        role: 'user',
        status: 'running',
        text: 't',
        request: { task: 't', ...(webhook ? { webhook } : {}) },
        correlationId: id,
      },
    });
    return id;
  };
  const subscribe = async (
    tenantId: string,
    userId: string,
    events: Webhooks.WebhookEventKind[],
    scope: Webhooks.WebhookScope = 'own',
  ): Promise<string> => {
    const id = randomUUID();
    await subscriptions.create({
      id,
      tenantId,
      userId,
      url: `https://h.example/${id}`,
      events,
      scope,
      secret: 'whsec_x',
    });
    return id;
  };
  const event = (taskId: string, seq: number, name: string): Tasks.TaskEvent =>
    ({
      taskId,
      seq,
      name,
      at: '2026-11-26T10:00:00.000Z',
      source: 'orchestrator',
      data: { text: 'a "quoted" line\nand é' },
    }) as never;
  const deliveriesOf = (taskId: string) =>
    prisma.webhookDelivery.findMany({ where: { taskId }, orderBy: { dedupeKey: 'asc' } });

  it("stores one delivery per event and webhook that wants it — the task's own and its tenant's subscriptions' — in one statement", async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const every = await subscribe(tenant, 'ann', ['*']);
    const approvals = await subscribe(tenant, 'ann', ['approval.requested']);
    await subscribe(tenant, 'bob', ['ended']); // bob's own tasks only
    const wide = await subscribe(tenant, 'alan', ['ended'], 'tenant'); // every task of the tenant
    await subscribe(`o${tenant}`, 'ann', ['*'], 'tenant'); // another tenant
    const gone = await subscribe(tenant, 'ann', ['*']);
    await subscriptions.delete(gone);
    const taskId = await task(tenant, 'ann', { url: 'https://h.example/task', events: ['ended'] });
    const events = [
      event(taskId, 1, 'orchestrator.task.started'),
      event(taskId, 2, 'orchestrator.approval.requested'),
      event(taskId, 3, 'orchestrator.task.completed'),
    ];
    const now = new Date('2026-11-26T10:00:00.000Z');

    statements = 0;
    expect(await sut.execute([{ taskId, events }], now)).toBe(6);
    expect(statements).toBe(1);

    const rows = await deliveriesOf(taskId);
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual(
      [
        `sub:${every}:${taskId}:1`,
        `sub:${every}:${taskId}:2`,
        `sub:${every}:${taskId}:3`,
        `sub:${approvals}:${taskId}:2`,
        `sub:${wide}:${taskId}:3`,
        `task:${taskId}:3`,
      ].sort(),
    );
    const own = rows.find((r) => r.dedupeKey === `task:${taskId}:3`)!;
    expect(own).toMatchObject({
      tenantId: tenant,
      userId: 'ann',
      subscriptionId: null,
      seq: 3,
      event: 'orchestrator.task.completed',
      url: 'https://h.example/task',
      status: 'pending',
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + 60_000),
    });
    // The exact body the payload serialises to (it is what is signed and sent).
    const payload = (userId: string, webhookId?: string): Webhooks.WebhookPayload => ({
      type: 'orchestrator.task.completed',
      timestamp: '2026-11-26T10:00:00.000Z',
      data: {
        taskId,
        tenantId: tenant,
        userId,
        ...(webhookId ? { webhookId } : {}),
        event: events[2]!,
      },
    });
    expect(own.body).toBe(JSON.stringify(payload('ann')));
    // A tenant-wide subscription's delivery is its subscriber's (alan), about ann's task.
    const wideRow = rows.find((r) => r.dedupeKey === `sub:${wide}:${taskId}:3`)!;
    expect(wideRow).toMatchObject({ userId: 'alan', subscriptionId: wide });
    expect(wideRow.body).toBe(JSON.stringify(payload('ann', wide)));
  });

  it('stores an event consumed twice once (a redelivery, or a second replica at the same time)', async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    await subscribe(tenant, 'ann', ['*']);
    const taskId = await task(tenant, 'ann', { url: 'https://h.example/task', events: ['*'] });
    const item = { taskId, events: [event(taskId, 7, 'orchestrator.task.failed')] };
    const answers = await Promise.all([sut.execute([item]), sut.execute([item, item])]);
    expect(answers.sort()).toEqual([0, 2]);
    expect(await sut.execute([item])).toBe(0);
    expect(await deliveriesOf(taskId)).toHaveLength(2);
  });

  it("uses the message's tenant and submitter for a task without a row, and skips one that names nobody", async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const sub = await subscribe(tenant, 'ann', ['ended']);
    const [named, anonymous] = [randomUUID(), randomUUID()];
    expect(
      await sut.execute([
        {
          taskId: named,
          tenantId: tenant,
          userId: 'ann',
          events: [event(named, 1, 'orchestrator.task.failed')],
        },
        { taskId: anonymous, events: [event(anonymous, 1, 'orchestrator.task.failed')] },
      ]),
    ).toBe(1);
    expect((await deliveriesOf(named)).map((r) => r.dedupeKey)).toEqual([`sub:${sub}:${named}:1`]);
    expect(await deliveriesOf(anonymous)).toEqual([]);
  });

  it("takes what the task's run says of it (its row's for what it does not say), and stores nothing for an event nobody wants", async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    await subscribe(tenant, 'ann', ['ended']);
    const taskId = await task(tenant, 'ann');
    expect(
      await sut.execute([{ taskId, events: [event(taskId, 1, 'orchestrator.task.started')] }]),
    ).toBe(0);
    // Nothing given: the row's tenant and owner.
    expect(
      await sut.execute([{ taskId, events: [event(taskId, 2, 'orchestrator.task.cancelled')] }]),
    ).toBe(1);
    // The run's own webhook, given in the statement that inserts the row (which it cannot read yet).
    const fresh = randomUUID();
    const hook = { url: 'https://h.example/own', events: ['ended'] };
    expect(
      await sut.execute([
        {
          taskId: fresh,
          tenantId: tenant,
          userId: 'bob',
          webhook: hook,
          events: [event(fresh, 1, 'orchestrator.task.failed')],
        },
      ]),
    ).toBe(1);
    expect(await deliveriesOf(taskId)).toEqual([
      expect.objectContaining({ tenantId: tenant, userId: 'ann', seq: 2 }),
    ]);
    expect((await deliveriesOf(fresh)).map((r) => [r.userId, r.url])).toEqual([
      ['bob', 'https://h.example/own'],
    ]);
  });

  it('makes a dead delivery pending again in one statement and answers it as that statement left it', async () => {
    // Read after the update, the row could already be another replica's sender's ("sending").
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const taskId = await task(tenant, 'ann', { url: 'https://h.example/task', events: ['*'] });
    await sut.execute([{ taskId, events: [event(taskId, 3, 'orchestrator.task.completed')] }]);
    const [dead] = await deliveriesOf(taskId);
    await prisma.webhookDelivery.update({
      where: { id: dead!.id },
      data: { status: 'dead', deadAt: new Date(), attempts: 3 },
    });
    const giveUpAt = new Date(Date.now() + 3_600_000);

    statements = 0;
    const view = await repository.redeliver(dead!.id, giveUpAt);
    expect(statements).toBe(1);
    expect(view).toMatchObject({
      deliveryId: dead!.id,
      status: 'pending',
      attempts: 3,
      giveUpAt: giveUpAt.toISOString(),
    });
    expect(await prisma.webhookDelivery.findUnique({ where: { id: dead!.id } })).toMatchObject({
      status: 'pending',
      giveUpAt,
      deadAt: null,
    });
    // Not dead any more: a second redelivery changes nothing.
    expect(await repository.redeliver(dead!.id, giveUpAt)).toBeUndefined();
  });

  it("looks each event's task up by its key, never reading the whole Task table", async () => {
    // Thousands of tasks, with the statistics autovacuum would give them: the planner, which takes
    // json_to_recordset for 100 rows, hashed every one of them for each statement of a plain join.
    await pool.query(`
      INSERT INTO "Task" ("id", "tenantId", "userId", "role", "status", "text", "request",
                          "correlationId", "updatedAt")
      SELECT gen_random_uuid(), 'bulk', 'ann', 'user', 'completed', 't', '{"task":"t"}', 'c', now()
      FROM generate_series(1, 3000)`);
    await pool.query('ANALYZE "Task"');
    const taskId = await task('bulk', 'ann');
    const insert = matchingInsert(
      [
        {
          taskId,
          seq: 1,
          name: 'orchestrator.task.completed',
          kinds: ['ended'],
          head: '{',
          tail: '}',
        },
      ],
      new Date(),
      new Date(),
    );
    const { rows } = await pool.query<{ 'QUERY PLAN': PlanNode[] }>(
      `EXPLAIN (FORMAT JSON) ${insert.text}`,
      insert.values,
    );
    const reads = nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan).filter(
      (n) => n['Relation Name'] === 'Task',
    );
    expect(reads.map((n) => [n['Node Type'], n['Index Name']])).toEqual([
      ['Index Scan', 'Task_pkey'],
    ]);
  });
});
