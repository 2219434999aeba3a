import 'reflect-metadata';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { type Actor, type Tasks } from '@switchboard/contracts';
import { buildHeaders } from '@switchboard/messaging';
import { TaskListHandler } from './task-list.handler.js';
import { type TaskListQuery, type TaskListRepository, whereOf } from './task-list.repository.js';

const row = (taskId: string, userId: string): Tasks.TaskSummary => ({
  taskId,
  userId,
  status: 'completed',
  task: 'what is 17 * 23',
  steps: 0,
  lastEventSeq: 3,
  createdAt: '2026-11-25T10:00:00.000Z',
});

/**
 * A repository that records what it was asked and answers `rows` (an empty page by default); the
 * start gate holds the `waiting` submissions.
 */
function setup(rows: Tasks.TaskSummary[] = [], waiting = new Map<string, Tasks.TaskSubmission>()) {
  const asked: TaskListQuery[] = [];
  const sut = new TaskListHandler(
    {
      list: async (q: TaskListQuery) => {
        asked.push(q);
        return { tasks: rows };
      },
    } as unknown as TaskListRepository,
    { waiting: async (taskId: string) => waiting.get(taskId) },
  );
  return { sut, asked };
}

type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;

/** Sends `data` to a handler method as NATS delivers it: the actor in the headers, as the gateway sets them. */
function ask<T>(handler: object, method: string, data: unknown, actor?: Actor): Promise<T> {
  const headers = actor ? buildHeaders('gateway', { actor }) : undefined;
  const fn = (handler as Record<string, Wrapped>)[method]!;
  return fn.call(handler, data, new NatsContext(['sb.cmd.test', headers])) as Promise<T>;
}
const req = (over: Partial<Tasks.TaskListRequest> = {}): Tasks.TaskListRequest => ({
  limit: 50,
  ...over,
});

describe(TaskListHandler.name, () => {
  it("lists a user's own tasks in their tenant", async () => {
    const { sut, asked } = setup();
    await ask(sut, 'list', req(), { userId: 'ann', role: 'user', tenantId: 'acme' });
    expect(asked).toEqual([{ limit: 50, tenantId: 'acme', userId: 'ann' }]);
  });

  it("lists everyone's tasks of an admin's tenant only, or one user's of it", async () => {
    const { sut, asked } = setup();
    const admin = { userId: 'root', role: 'admin', tenantId: 'acme' };
    await ask(sut, 'list', req(), admin);
    await ask(sut, 'list', req({ userId: 'bob' }), admin);
    expect(asked).toEqual([
      { limit: 50, tenantId: 'acme' },
      { limit: 50, tenantId: 'acme', userId: 'bob' },
    ]);
  });

  it("lists every tenant's tasks for the platform operator", async () => {
    const { sut, asked } = setup();
    await ask(sut, 'list', req(), { userId: 'ops', role: 'platform-admin', tenantId: 'acme' });
    expect(asked).toEqual([{ limit: 50 }]);
  });

  it("lists one tenant's tasks for the platform operator naming it", async () => {
    const { sut, asked } = setup();
    const operator = { userId: 'ops', role: 'platform-admin' };
    await ask(sut, 'list', req({ tenantId: 'globex' }), operator);
    await ask(sut, 'list', req({ tenantId: 'globex', userId: 'ann' }), operator);
    expect(asked).toEqual([
      { limit: 50, tenantId: 'globex' },
      { limit: 50, tenantId: 'globex', userId: 'ann' },
    ]);
  });

  it('gives anyone else naming another tenant an empty list, without reading', async () => {
    const { sut, asked } = setup([row('11111111-1111-4111-8111-111111111111', 'ann')]);
    const admin = { userId: 'root', role: 'admin', tenantId: 'acme' };
    const ann = { userId: 'ann', role: 'user', tenantId: 'acme' };
    expect(await ask(sut, 'list', req({ tenantId: 'globex' }), admin)).toEqual({ tasks: [] });
    expect(await ask(sut, 'list', req({ tenantId: 'globex' }), ann)).toEqual({ tasks: [] });
    // with tenancy off everyone is in `default`: any other tenant is another's
    expect(
      await ask(sut, 'list', req({ tenantId: 'acme' }), { userId: 'root', role: 'admin' }),
    ).toEqual({ tasks: [] });
    expect(asked).toEqual([]);
  });

  it('takes naming their own tenant as not naming one', async () => {
    const { sut, asked } = setup();
    await ask(sut, 'list', req({ tenantId: 'acme' }), {
      userId: 'root',
      role: 'admin',
      tenantId: 'acme',
    });
    await ask(sut, 'list', req({ tenantId: 'default' }), { userId: 'ann', role: 'user' });
    expect(asked).toEqual([
      { limit: 50, tenantId: 'acme' },
      { limit: 50, tenantId: 'default', userId: 'ann' },
    ]);
  });

  it('names the tenant of every row of a one-tenant list', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    const { sut } = setup([row(id, 'ann')]);
    const acme = await ask<Tasks.TaskListResponse>(sut, 'list', req(), {
      userId: 'ann',
      role: 'user',
      tenantId: 'acme',
    });
    expect(acme.tasks).toEqual([{ ...row(id, 'ann'), tenantId: 'acme' }]);
    const globex = await ask<Tasks.TaskListResponse>(sut, 'list', req({ tenantId: 'globex' }), {
      userId: 'ops',
      role: 'platform-admin',
    });
    expect(globex.tasks.map((t) => t.tenantId)).toEqual(['globex']);
  });

  it('lists the default tenant for actors without a tenant (tenancy off), as before', async () => {
    const { sut, asked } = setup();
    await ask(sut, 'list', req(), { userId: 'root', role: 'admin' });
    expect(asked).toEqual([{ limit: 50, tenantId: 'default' }]);
  });

  it('shows a task waiting for its thread with its submission’s text (its row has none yet)', async () => {
    const id = '22222222-2222-4222-8222-222222222222';
    const ann = { userId: 'ann', role: 'user', tenantId: 'acme' };
    const waiting: Tasks.TaskSubmission = {
      taskId: id,
      actor: ann,
      request: { task: 'and then 17 * 24', thread_id: 'th-1' },
      submittedAt: '2026-11-25T10:00:00.000Z',
      correlationId: 'c-1',
    };
    const stored = { ...row(id, 'ann'), status: 'queued' as const, task: '', threadId: 'th-1' };
    const { sut } = setup(
      [stored, row('33333333-3333-4333-8333-333333333333', 'ann')],
      new Map([[id, waiting]]),
    );
    const page = await ask<Tasks.TaskListResponse>(sut, 'list', req(), ann);
    expect(page.tasks.map((t) => [t.status, t.task])).toEqual([
      ['queued', 'and then 17 * 24'],
      ['completed', 'what is 17 * 23'],
    ]);
  });

  it("still refuses a user asking for someone else's tasks", async () => {
    const { sut } = setup();
    await expect(
      ask(sut, 'list', req({ userId: 'bob' }), { userId: 'ann', role: 'user', tenantId: 'acme' }),
    ).rejects.toBeInstanceOf(RpcException);
  });
});

describe('task list condition', () => {
  it('starts with the tenant, as every index the list uses does', () => {
    expect(whereOf({ tenantId: 'acme', userId: 'ann', limit: 10 })).toEqual({
      AND: [{ tenantId: 'acme' }, { userId: 'ann' }],
    });
    expect(whereOf({ limit: 10 })).toEqual({ AND: [] });
  });
});
