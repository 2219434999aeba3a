import { describe, expect, it, jest } from '@jest/globals';
import { Prisma } from '../../generated/prisma/client.js';
import type { PrismaService } from '../../prisma/prisma.service.js';
import { IllegalTaskTransition, type StateDb, TaskStateStore } from './task-state.store.js';

const TASK = '00000000-0000-4000-8000-000000000001';

function storeAnswering(row: Record<string, unknown>) {
  const seen: Prisma.Sql[] = [];
  const prisma = {
    $queryRaw: jest.fn(async (strings: TemplateStringsArray, ...values: unknown[]) => {
      seen.push(Prisma.sql(strings, ...values));
      return [row];
    }),
  } as unknown as PrismaService;
  return { store: new TaskStateStore(prisma), seen };
}

describe('TaskStateStore.transition', () => {
  it('compares and sets state and version in one statement with the extra writes', async () => {
    const { store, seen } = storeAnswering({
      movedVersion: 4,
      seenState: 'running',
      seenVersion: 3,
    });
    const r = await store.transition(
      TASK,
      { on: 'paused', from: 'running', expectedVersion: 3, tenantId: 't1' },
      {
        set: Prisma.sql`"lastEventSeq" = ${7}`,
        with: [{ name: 'noted', sql: Prisma.sql`SELECT 1 FROM moved` }],
      },
    );
    expect(r).toEqual({ moved: true, state: 'waiting_approval', version: 4, extra: {} });
    const sql = seen[0]!;
    expect(sql.sql).toMatch(/"status" = \?, "version" = "version" \+ 1/);
    expect(sql.sql).toMatch(
      /"status" = ANY\(\?::text\[\]\) AND "tenantId" = \? AND "version" = \?::int/,
    );
    expect(sql.sql).toContain('"lastEventSeq" =');
    expect(sql.sql).toContain('"noted" AS (SELECT 1 FROM moved)');
    expect(sql.values).toEqual(
      expect.arrayContaining(['waiting_approval', ['running'], 't1', 3, 7]),
    );
  });

  it('reports a lost race with what the statement saw, and writes nothing else', async () => {
    const { store } = storeAnswering({
      movedVersion: null,
      seenState: 'cancelling',
      seenVersion: 5,
    });
    const r = await store.transition(TASK, { on: 'paused', from: 'running' });
    expect(r).toEqual({ moved: false, state: 'cancelling', version: 5, extra: {} });
  });

  it('reports a task without a row as a lost race with no state', async () => {
    const { store } = storeAnswering({ movedVersion: null, seenState: null, seenVersion: null });
    const r = await store.transition(TASK, { on: 'cancel-requested', from: ['running'] });
    expect(r).toEqual({ moved: false, state: undefined, version: undefined, extra: {} });
  });

  it('writes in a transaction another repository holds (the thread gate’s hand-over)', async () => {
    const seen: Prisma.Sql[] = [];
    const tx = {
      $queryRaw: jest.fn(async (strings: TemplateStringsArray, ...values: unknown[]) => {
        seen.push(Prisma.sql(strings, ...values));
        return [{ movedVersion: 1, seenState: 'waiting_thread', seenVersion: 0 }];
      }),
    };
    const r = await TaskStateStore.within(tx as unknown as StateDb).transition(TASK, {
      on: 'thread-handed-over',
      from: 'waiting_thread',
    });
    expect(r).toEqual({ moved: true, state: 'queued', version: 1, extra: {} });
    expect(tx.$queryRaw).toHaveBeenCalledTimes(1);
    expect(seen[0]!.values).toEqual(expect.arrayContaining(['queued', ['waiting_thread']]));
  });

  it('refuses a transition the table does not have before it sends anything', async () => {
    const { store, seen } = storeAnswering({});
    await expect(
      store.transition(TASK, { on: 'completed', from: 'waiting_approval' }),
    ).rejects.toThrow(IllegalTaskTransition);
    await expect(store.transition(TASK, { on: 'claimed', from: 'completed' })).rejects.toThrow(
      '"claimed" does not move "completed"',
    );
    expect(seen).toHaveLength(0);
  });
});
