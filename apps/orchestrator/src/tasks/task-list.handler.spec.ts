import 'reflect-metadata';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { type Actor, type Tasks } from '@switchboard/contracts';
import { buildHeaders } from '@switchboard/messaging';
import { TaskListHandler } from './task-list.handler.js';
import { type TaskListQuery, type TaskListRepository, whereOf } from './task-list.repository.js';

function setup() {
  const asked: TaskListQuery[] = [];
  const sut = new TaskListHandler({
    list: async (q: TaskListQuery) => {
      asked.push(q);
      return { tasks: [] };
    },
  } as unknown as TaskListRepository);
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

  it('lists the default tenant for actors without a tenant (tenancy off), as before', async () => {
    const { sut, asked } = setup();
    await ask(sut, 'list', req(), { userId: 'root', role: 'admin' });
    expect(asked).toEqual([{ limit: 50, tenantId: 'default' }]);
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
