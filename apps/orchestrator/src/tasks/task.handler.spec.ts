import 'reflect-metadata';
import { jest } from '@jest/globals';
import { NatsContext, RpcException } from '@nestjs/microservices';
import { type Actor, type Tasks } from '@switchboard/contracts';
import { type AuditTrail, buildHeaders, type NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { PendingDecisions } from './ports/pending-decisions.port.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { ALL_TENANTS, type TenantScope } from '../tenancy/tenant-scope.js';
import type { RunTree } from './ports/run-tree.port.js';
import type { StartGate } from './ports/start-gate.port.js';
import { TaskCanceller } from './task-canceller.js';
import type { TaskJournalRepository } from './journal/task-journal.repository.js';
import { TaskHandler } from './task.handler.js';
import type { TaskRepository } from './task.repository.js';

const ACME_TASK = '11111111-1111-4111-8111-111111111111';
const GLOBEX_TASK = '22222222-2222-4222-8222-222222222222';
const UNKNOWN = '33333333-3333-4333-8333-333333333333';
/**
 * A schedule's firing of acme's ann, waiting for her thread, its submission stored: with no row (a
 * waiter stored before waiting tasks had rows) or, with `setup(true)`, its `waiting_thread` row.
 */
const WAITING = '44444444-4444-4444-8444-444444444444';
const SCHEDULE = '55555555-5555-4555-8555-555555555555';
const waitingSubmission: Tasks.TaskSubmission = {
  taskId: WAITING,
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request: { task: 'the stand-up digest', thread_id: 'standup' },
  submittedAt: '2026-11-25T08:00:00.000Z',
  correlationId: `schedule:${SCHEDULE}:2026-11-25T08:00:00.000Z`,
  scheduleId: SCHEDULE,
};

const view = (taskId: string, userId: string): Tasks.TaskView => ({
  taskId,
  userId,
  status: 'running',
  task: 'what is 17 * 23',
  steps: [],
  lastEventSeq: 1,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
});

/** WAITING's row once its first delivery stored it `waiting_thread`: read as queued, no text yet. */
const waitingRow: Tasks.TaskView = {
  taskId: WAITING,
  userId: 'ann',
  tenantId: 'acme',
  status: 'queued',
  task: '',
  steps: [],
  threadId: 'standup',
  lastEventSeq: 0,
  createdAt: '2026-11-25T08:00:00.000Z',
  updatedAt: '2026-11-25T08:00:01.000Z',
  scheduleId: SCHEDULE,
};

/**
 * Two tenants whose users have the same name: `ann` of acme and `ann` of globex are two people.
 * `withWaitingRow`: WAITING has its row (`waiting_thread`), as after its first delivery.
 */
function setup(withWaitingRow = false) {
  const rows = new Map([
    [ACME_TASK, { tenantId: 'acme', view: view(ACME_TASK, 'ann') }],
    [GLOBEX_TASK, { tenantId: 'globex', view: view(GLOBEX_TASK, 'ann') }],
    ...(withWaitingRow ? [[WAITING, { tenantId: 'acme', view: waitingRow }] as const] : []),
  ]);
  const cancelled: string[] = [];
  /** Tasks told to stop waiting for their thread. */
  const waiting: string[] = [];
  const queued: { taskId: string; actor: Actor }[] = [];
  const published: unknown[] = [];
  const audits: Record<string, unknown>[] = [];
  // Reads as the repository's where clause does: in the scope's tenant only.
  const repository = {
    get: async (taskId: string, scope: TenantScope) => {
      const row = rows.get(taskId);
      return row && (scope === ALL_TENANTS || scope === row.tenantId) ? row.view : undefined;
    },
    tenantOfTask: async (taskId: string) => rows.get(taskId)?.tenantId,
    requestCancel: async (taskId: string) => void cancelled.push(taskId),
    rememberQueuedCancel: async (taskId: string, actor: Actor) =>
      void queued.push({ taskId, actor }),
  } as unknown as TaskRepository;
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const sut = new TaskHandler(
    repository,
    new TaskCanceller(
      repository,
      { publish: (...args: unknown[]) => void published.push(args) } as unknown as NatsBus,
      { cancel: async () => undefined } as unknown as PendingDecisions,
    ),
    {
      letCancelledGo: async (taskId: string) => void waiting.push(taskId),
      waiting: async (taskId: string) => (taskId === WAITING ? waitingSubmission : undefined),
    } as unknown as StartGate,
    new TenantRefusals(audit as unknown as AuditTrail, { warn: jest.fn() } as unknown as Logger),
    { runsOf: async () => [] } satisfies RunTree,
    // The journal's page, read as its statement does: in the scope's tenant only.
    {
      page: async (taskId: string, scope: TenantScope, afterSeq: number) => {
        const row = rows.get(taskId);
        if (!row || (scope !== ALL_TENANTS && scope !== row.tenantId)) return undefined;
        return { userId: row.view.userId, events: [], lastSeq: afterSeq, ended: false };
      },
    } as unknown as TaskJournalRepository,
  );
  return { sut, cancelled, queued, published, audits, waiting };
}

const acmeAdmin = { userId: 'root', role: 'admin', tenantId: 'acme' };
const acmeAnn = { userId: 'ann', role: 'user', tenantId: 'acme' };
const operator = { userId: 'ops', role: 'platform-admin', tenantId: 'acme' };

type Wrapped = (data: unknown, ctx: NatsContext) => Promise<unknown>;

/** Sends `data` to a handler method as NATS delivers it: the actor in the headers, as the gateway sets them. */
function ask<T>(handler: object, method: string, data: unknown, actor?: Actor): Promise<T> {
  const headers = actor ? buildHeaders('gateway', { actor }) : undefined;
  const fn = (handler as Record<string, Wrapped>)[method]!;
  return fn.call(handler, data, new NatsContext(['sb.cmd.test', headers])) as Promise<T>;
}

/** What the caller hears: ok, or the ErrorBody's code and message (a uuid in it made neutral). */
async function answerOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (e) {
    if (!(e instanceof RpcException)) throw e;
    const body = e.getError() as { code: string; message: string };
    return { code: body.code, message: body.message.replace(/[0-9a-f-]{36}/, '<id>') };
  }
}

/** Lets the refusals' background checks finish. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const otherTenantRecord = (action: string, taskId: string) => ({
  category: 'auth',
  action,
  outcome: 'denied',
  resource: taskId,
  taskId,
  actor: { userId: 'root', role: 'admin' },
  tenantId: 'acme',
  details: { reason: 'other_tenant' },
});

describe(TaskHandler.name, () => {
  describe('events', () => {
    it("answers the task's owner and an admin of its tenant from the journal", async () => {
      const { sut } = setup();
      for (const actor of [acmeAnn, acmeAdmin])
        expect(
          await ask(sut, 'events', { taskId: ACME_TASK, afterSeq: 3, limit: 10 }, actor),
        ).toEqual({ taskId: ACME_TASK, events: [], lastSeq: 3, ended: false });
    });

    it("answers another tenant's task (a same-named user's too) exactly as a missing one, audited", async () => {
      const { sut, audits } = setup();
      const req = (taskId: string) => ({ taskId, afterSeq: 0, limit: 10 });
      const other = await answerOf(ask(sut, 'events', req(GLOBEX_TASK), acmeAnn));
      const missing = await answerOf(ask(sut, 'events', req(UNKNOWN), acmeAnn));
      expect(other).toEqual({ code: 'NOT_FOUND', message: 'task <id> not found' });
      expect(other).toEqual(missing);
      await settled();
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ action: 'task.events.denied', taskId: GLOBEX_TASK });
    });
  });

  describe('get', () => {
    it("gives an admin the tasks of their tenant's users", async () => {
      const { sut } = setup();
      expect(await ask(sut, 'get', { taskId: ACME_TASK }, acmeAdmin)).toMatchObject({
        taskId: ACME_TASK,
      });
    });

    it("answers an admin asking for another tenant's task exactly as a missing one, audited", async () => {
      const { sut, audits } = setup();
      const other = await answerOf(ask(sut, 'get', { taskId: GLOBEX_TASK }, acmeAdmin));
      const missing = await answerOf(ask(sut, 'get', { taskId: UNKNOWN }, acmeAdmin));
      expect(other).toEqual({ code: 'NOT_FOUND', message: 'task <id> not found' });
      expect(other).toEqual(missing);
      await settled();
      expect(audits).toEqual([otherTenantRecord('task.get.denied', GLOBEX_TASK)]);
    });

    it('keeps a user with the same id in another tenant out', async () => {
      const { sut } = setup();
      // acme's ann owns ACME_TASK; globex's ann (same user id) is someone else.
      expect(await answerOf(ask(sut, 'get', { taskId: GLOBEX_TASK }, acmeAnn))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(await ask(sut, 'get', { taskId: ACME_TASK }, acmeAnn)).toMatchObject({
        userId: 'ann',
      });
    });

    it("lets the platform operator read every tenant's tasks, unaudited", async () => {
      const { sut, audits } = setup();
      expect(await ask(sut, 'get', { taskId: GLOBEX_TASK }, operator)).toMatchObject({
        taskId: GLOBEX_TASK,
      });
      expect(await ask(sut, 'get', { taskId: ACME_TASK }, operator)).toMatchObject({
        taskId: ACME_TASK,
      });
      await settled();
      expect(audits).toEqual([]);
    });

    it("names the task's tenant: the reader's own, or where it is stored for the platform operator", async () => {
      const { sut } = setup();
      expect(await ask(sut, 'get', { taskId: ACME_TASK }, acmeAnn)).toMatchObject({
        taskId: ACME_TASK,
        tenantId: 'acme',
      });
      expect(await ask(sut, 'get', { taskId: GLOBEX_TASK }, operator)).toMatchObject({
        taskId: GLOBEX_TASK,
        tenantId: 'globex',
      });
    });

    it('takes an actor without a tenant as one of the default tenant', async () => {
      const { sut } = setup();
      const answer = await answerOf(
        ask(sut, 'get', { taskId: ACME_TASK }, { userId: 'root', role: 'admin' }),
      );
      expect(answer.code).toBe('NOT_FOUND');
    });
  });

  describe('a task waiting for its thread with no row (a waiter stored before waiting tasks had rows)', () => {
    const globexAnn = { userId: 'ann', role: 'user', tenantId: 'globex' };

    it('is read as queued by its owner and an admin of its tenant, from its submission', async () => {
      const { sut } = setup();
      const expected = {
        taskId: WAITING,
        userId: 'ann',
        tenantId: 'acme',
        status: 'queued',
        task: 'the stand-up digest',
        steps: [],
        threadId: 'standup',
        lastEventSeq: 0,
        createdAt: '2026-11-25T08:00:00.000Z',
        updatedAt: '2026-11-25T08:00:00.000Z',
        scheduleId: SCHEDULE,
      };
      expect(await ask(sut, 'get', { taskId: WAITING }, acmeAnn)).toEqual(expected);
      expect(await ask(sut, 'get', { taskId: WAITING }, acmeAdmin)).toEqual(expected);
    });

    it("is nobody else's: another user, or the same user id in another tenant, gets NOT_FOUND", async () => {
      const { sut } = setup();
      for (const who of [{ userId: 'bob', role: 'user', tenantId: 'acme' }, globexAnn]) {
        expect((await answerOf(ask(sut, 'get', { taskId: WAITING }, who))).code).toBe('NOT_FOUND');
        const req = { taskId: WAITING, reason: 'stop', whenQueued: false };
        expect((await answerOf(ask(sut, 'cancel', req, who))).code).toBe('NOT_FOUND');
      }
    });

    it('is cancelled by its owner without a gateway vouching for it: ends at once, not at its turn', async () => {
      const { sut, queued, waiting } = setup();
      const req = { taskId: WAITING, reason: 'not today', whenQueued: false };
      expect(await ask(sut, 'cancel', req, acmeAnn)).toEqual({ taskId: WAITING, status: 'queued' });
      expect(queued.map((q) => q.taskId)).toEqual([WAITING]);
      expect(waiting).toEqual([WAITING]);
    });
  });

  describe('a task waiting for its thread, its row stored (waiting_thread, no text yet)', () => {
    const globexAnn = { userId: 'ann', role: 'user', tenantId: 'globex' };

    it('is read exactly as before its row: queued, its text from its submission, no steps', async () => {
      const before = await ask(setup().sut, 'get', { taskId: WAITING }, acmeAnn);
      const { sut } = setup(true);
      expect(await ask(sut, 'get', { taskId: WAITING }, acmeAnn)).toEqual(before);
      expect(await ask(sut, 'get', { taskId: WAITING }, acmeAdmin)).toEqual(before);
      expect(before).toMatchObject({ status: 'queued', task: 'the stand-up digest', steps: [] });
    });

    it("is nobody else's: another user, or the same user id in another tenant, gets NOT_FOUND", async () => {
      const { sut, cancelled, queued } = setup(true);
      for (const who of [{ userId: 'bob', role: 'user', tenantId: 'acme' }, globexAnn]) {
        expect((await answerOf(ask(sut, 'get', { taskId: WAITING }, who))).code).toBe('NOT_FOUND');
        const req = { taskId: WAITING, reason: 'stop', whenQueued: false };
        expect((await answerOf(ask(sut, 'cancel', req, who))).code).toBe('NOT_FOUND');
      }
      // Vouched for by a gateway as queued, another tenant's id is an id nobody submitted there: its
      // queued cancellation is kept in the requester's tenant, which no claim of this task honours.
      const vouched = { taskId: WAITING, reason: 'stop', whenQueued: true };
      expect(await ask(sut, 'cancel', vouched, globexAnn)).toEqual({
        taskId: WAITING,
        status: 'queued',
      });
      expect(cancelled).toEqual([]);
      expect(queued.map((q) => q.actor.tenantId)).toEqual(['globex']);
    });

    it('is cancelled on its row by its owner, then let go at once (it ends at its claim)', async () => {
      const { sut, cancelled, queued, waiting } = setup(true);
      const req = { taskId: WAITING, reason: 'not today', whenQueued: false };
      expect(await ask(sut, 'cancel', req, acmeAnn)).toEqual({ taskId: WAITING, status: 'queued' });
      expect(cancelled).toEqual([WAITING]);
      expect(queued).toEqual([]);
      expect(waiting).toEqual([WAITING]);
    });
  });

  describe('cancel', () => {
    it('finds nothing to cancel in another tenant: NOT_FOUND, nothing stopped, audited', async () => {
      const { sut, cancelled, published, audits } = setup();
      const req = { taskId: GLOBEX_TASK, reason: 'stop', whenQueued: false };
      const other = await answerOf(ask(sut, 'cancel', req, acmeAdmin));
      expect(other).toEqual(
        await answerOf(ask(sut, 'cancel', { ...req, taskId: UNKNOWN }, acmeAdmin)),
      );
      expect(other.code).toBe('NOT_FOUND');
      expect(cancelled).toEqual([]);
      expect(published).toEqual([]);
      await settled();
      expect(audits).toEqual([otherTenantRecord('task.cancel.denied', GLOBEX_TASK)]);
    });

    it("answers a queued-task cancellation of another tenant's task as for a task not claimed yet", async () => {
      const { sut, cancelled, published, audits } = setup();
      const req = { taskId: GLOBEX_TASK, reason: 'stop', whenQueued: true };
      expect(await ask(sut, 'cancel', req, acmeAdmin)).toEqual({
        taskId: GLOBEX_TASK,
        status: 'queued',
      });
      expect(await ask(sut, 'cancel', { ...req, taskId: UNKNOWN }, acmeAdmin)).toEqual({
        taskId: UNKNOWN,
        status: 'queued',
      });
      expect(cancelled).toEqual([]);
      expect(published).toEqual([]);
      await settled();
      expect(audits).toEqual([otherTenantRecord('task.cancel.denied', GLOBEX_TASK)]);
    });

    it('lets a task cancelled while it waits for its thread go at once (it ends at its claim)', async () => {
      const { sut, queued, waiting } = setup();
      const req = { taskId: UNKNOWN, reason: 'stop', whenQueued: true };
      expect(await ask(sut, 'cancel', req, acmeAnn)).toEqual({ taskId: UNKNOWN, status: 'queued' });
      expect(queued.map((q) => q.taskId)).toEqual([UNKNOWN]);
      expect(waiting).toEqual([UNKNOWN]);
    });

    it("cancels a task of the admin's own tenant, and any tenant's for the platform operator", async () => {
      const { sut, cancelled } = setup();
      const req = { reason: 'stop', whenQueued: false };
      await ask(sut, 'cancel', { ...req, taskId: ACME_TASK }, acmeAdmin);
      await ask(sut, 'cancel', { ...req, taskId: GLOBEX_TASK }, operator);
      expect(cancelled).toEqual([ACME_TASK, GLOBEX_TASK]);
    });
  });
});
