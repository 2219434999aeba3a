import { PrismaPg } from '@prisma/adapter-pg';
import type { Tasks } from '@switchboard/contracts';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { A2aPushConfigRepository } from '../src/a2a-push/a2a-push-config.repository.js';
import { EnqueuePushNotificationsUseCase } from '../src/a2a-push/enqueue-push-notifications/enqueue-push-notifications.use-case.js';
import { PrismaClient } from '../src/generated/prisma/client.js';
import type { PrismaService } from '../src/prisma/prisma.service.js';

// A2A push notification configs and the deliveries their tasks' events call for, on a real, migrated
// PostgreSQL: one statement per batch, once per config and event however often a batch comes, the
// body of the config's wire version with the task's thread, and a config set while its task was being
// submitted notifying only if the task is its setter's.
describe('A2A push configs and their deliveries (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  let statements = 0;
  let configs: A2aPushConfigRepository;
  let sut: EnqueuePushNotificationsUseCase;

  beforeAll(async () => {
    db = await createTestDatabase('orch_a2a_push', 'orchestrator');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('acquire', () => statements++);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await prisma.$connect();
    configs = new A2aPushConfigRepository(prisma as unknown as PrismaService);
    sut = new EnqueuePushNotificationsUseCase(configs, { WEBHOOK_RETRY_FOR_MS: 60_000 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const task = async (tenantId: string, userId: string, threadId?: string) => {
    const id = randomUUID();
    await prisma.task.create({
      data: {
        id,
        tenantId,
        userId,
        role: 'user',
        status: 'running',
        text: 't',
        request: { task: 't' },
        correlationId: id,
        ...(threadId ? { threadId } : {}),
      },
    });
    return id;
  };

  const requested = (taskId: string, seq: number): Tasks.TaskEvent =>
    ({
      taskId,
      seq,
      name: 'orchestrator.approval.requested',
      at: '2026-11-26T10:00:00.000Z',
      source: 'orchestrator',
      data: {
        approvalId: randomUUID(),
        stepId: 's1',
        kind: 'tool',
        target: 'notes.add',
        input: { content: 'a "quoted" line\nand é' },
        argsHash: 'h',
        reason: 'policy',
        expiresAt: '2026-11-26T11:00:00.000Z',
      },
    }) as never;
  const other = (taskId: string, seq: number): Tasks.TaskEvent =>
    ({
      taskId,
      seq,
      name: 'orchestrator.step.completed',
      at: '2026-11-26T10:00:00.000Z',
      source: 'orchestrator',
      data: {},
    }) as never;

  it('stores one delivery per live config and announced event, in one statement, once', async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const taskId = await task(tenant, 'ann', 'thread-1');
    const owner = { taskId, tenantId: tenant, userId: 'ann' };
    await configs.set(owner, {
      taskId,
      configId: 'a',
      url: 'https://h.example/a',
      wireVersion: '1.0',
      token: 't',
    });
    await configs.set(owner, {
      taskId,
      configId: 'b',
      url: 'https://h.example/b',
      wireVersion: '0.3',
    });
    await configs.set(owner, {
      taskId,
      configId: 'gone',
      url: 'https://h.example/gone',
      wireVersion: '1.0',
    });
    expect(await configs.delete(taskId, 'gone')).toBe(0);
    const batch = [{ taskId, events: [other(taskId, 1), requested(taskId, 2)] }];

    statements = 0;
    expect(await sut.execute(batch)).toBe(2);
    expect(statements).toBe(1);
    expect(await sut.execute(batch)).toBe(0);

    const rows = await prisma.webhookDelivery.findMany({
      where: { taskId },
      orderBy: { url: 'asc' },
    });
    expect(rows.map((r) => [r.url, r.seq, r.userId, r.status])).toEqual([
      ['https://h.example/a', 2, 'ann', 'pending'],
      ['https://h.example/b', 2, 'ann', 'pending'],
    ]);
    expect(rows.every((r) => r.pushConfigId !== null && r.subscriptionId === null)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, read by assertions
    const [a, b] = rows.map((r) => JSON.parse(r.body) as Record<string, any>);
    expect(a!['statusUpdate']).toMatchObject({
      taskId,
      contextId: 'thread-1',
      status: { state: 'TASK_STATE_INPUT_REQUIRED', message: { contextId: 'thread-1' } },
    });
    expect(b).toMatchObject({
      kind: 'task',
      id: taskId,
      contextId: 'thread-1',
      status: { state: 'input-required' },
    });
    expect(await configs.headersOf(rows[0]!.pushConfigId!)).toEqual({
      token: 't',
      authorization: undefined,
      wireVersion: '1.0',
    });
  });

  it("replaces a config set again under its id, refuses the eleventh, and notifies a submitting config only on its setter's task", async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const taskId = await task(tenant, 'ann');
    const owner = { taskId, tenantId: tenant, userId: 'ann' };
    await configs.set(owner, {
      taskId,
      configId: 'x',
      url: 'https://h.example/1',
      wireVersion: '1.0',
    });
    await configs.set(owner, {
      taskId,
      configId: 'x',
      url: 'https://h.example/2',
      wireVersion: '1.0',
    });
    expect((await configs.list(taskId, 10)).configs.map((c) => [c.configId, c.url])).toEqual([
      ['x', 'https://h.example/2'],
    ]);
    for (let i = 0; i < 9; i++)
      await configs.set(owner, {
        taskId,
        configId: `c${i}`,
        url: 'https://h.example/n',
        wireVersion: '1.0',
      });
    await expect(
      configs.set(owner, {
        taskId,
        configId: 'eleventh',
        url: 'https://h.example/n',
        wireVersion: '1.0',
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const page = await configs.list(taskId, 4);
    expect(page.configs).toHaveLength(4);
    expect(page.nextAfter).toBe(page.configs[3]!.configId);

    // Someone else claimed, while "submitting", a config on bob's task: it never notifies.
    const bobs = await task(tenant, 'bob');
    await configs.set(
      { taskId: bobs, tenantId: tenant, userId: 'eve' },
      {
        taskId: bobs,
        configId: 'spy',
        url: 'https://h.example/spy',
        wireVersion: '1.0',
        submitting: true,
      },
    );
    expect(await sut.execute([{ taskId: bobs, events: [requested(bobs, 3)] }])).toBe(0);
  });
});
