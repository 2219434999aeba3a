import type { Schedules, Tasks } from '@switchboard/contracts';
import {
  DEMO_TASK,
  repoRoot,
  type ServiceHandle,
  type Stack,
  startService,
  runSwitchboardCli,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ScheduleTestClock, waitForTicks } from './support/schedule-clock.js';

/** Someone acting in a tenant (dev auth with TENANCY=true). */
interface Who {
  user: string;
  tenant: string;
  role?: string;
}

interface ErrorBody {
  code: string;
  message: string;
}

/**
 * The schedules' clock both replicas read (SCHEDULE_CLOCK_FILE): a due time comes when the test
 * moves the clock to it, not when the wall clock gets there.
 */
const clock = new ScheduleTestClock();
/** Ticks often so a test waits for the ticker's claim of a due time, not for its next tick. */
const ORCHESTRATOR_ENV = { SCHEDULE_TICK_MS: '500', ...clock.env };
/** How long a replica may take to start again on a loaded machine (the harness' own default is 30 s). */
const RESTART_READY_MS = 120_000;

/**
 * Schedules end to end (docs/schedules.md) on real processes — NATS with the services' identities,
 * PostgreSQL, Redis, two orchestrator replicas each ticking: a one-shot a minute ahead fires
 * exactly once although both replicas restart before it is due (one firing, one linked task, one
 * audit record of the firing), a cron schedule fires, stops while paused and fires again once
 * resumed, bad bodies are 400 naming the field, and another user's schedule is 404. Due times come
 * by the schedules' clock (support/schedule-clock.ts): the test moves it just past a due time
 * instead of waiting for it, and the real tickers claim and fire on the real database as they would
 * at that time.
 */
describe('schedules end to end (real processes, two orchestrators)', () => {
  let stack: Stack;
  let second: ServiceHandle;
  /** Both replicas' URLs (for their tick counts). */
  const orchestrators = () => [stack.services['orchestrator']?.url ?? '', second.url];
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const globex = `globex-${stamp}`;

  const startSecond = async () =>
    startService(
      'orchestrator-2',
      { ...stack.envOf('orchestrator') },
      {
        logDir: stack.logDir,
        entry: join(repoRoot, 'dist/apps/orchestrator/src/main.js'),
        readyTimeoutMs: RESTART_READY_MS,
      },
    );

  /** Stops the stack's orchestrator by its PID and starts it again on its port (stack.stop() stops it). */
  const restartFirst = async () => {
    const old = stack.services['orchestrator'];
    await old?.stop();
    stack.services['orchestrator'] = await startService(
      'orchestrator',
      { ...stack.envOf('orchestrator'), ...(old ? { PORT: String(old.port) } : {}) },
      { logDir: stack.logDir, readyTimeoutMs: RESTART_READY_MS },
    );
  };

  beforeAll(async () => {
    stack = await startStack({
      natsIdentities: true,
      env: { gateway: { TENANCY: 'true' }, orchestrator: ORCHESTRATOR_ENV },
    });
    second = await startSecond();
  }, 180_000);

  afterAll(async () => {
    await second?.stop();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    clock.remove();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, who: Who, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
        'x-tenant-id': who.tenant,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function json<T>(res: Response, status: number): Promise<T> {
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** The built `switchboard` CLI as the admin NATS identity. */
  const switchboard = (...args: string[]) =>
    runSwitchboardCli(stack.securedNats!.identities.admin.env, ...args);

  const create = async (who: Who, body: Schedules.ScheduleCreateInput) =>
    json<Schedules.ScheduleView>(await call('POST', '/schedules', who, body), 201);
  const get = async (who: Who, id: string) =>
    json<Schedules.ScheduleView>(await call('GET', `/schedules/${id}`, who), 200);
  const firings = async (who: Who, id: string) =>
    (
      await json<{ firings: Schedules.ScheduleFiringView[] }>(
        await call('GET', `/schedules/${id}/firings`, who),
        200,
      )
    ).firings;
  const submitted = (fs: Schedules.ScheduleFiringView[]) =>
    fs.filter((f) => f.status === 'submitted');

  it('fires a one-shot a minute ahead exactly once, across a restart of each of two replicas; its task completes', async () => {
    const ann: Who = { user: `ann-${stamp}`, tenant: acme };
    // A minute ahead of the schedules' clock, as a user sets one: both restarts (seconds each) fit
    // before it; the assertions below say so if a loaded machine ever makes them slower.
    const at = new Date(clock.now() + 60_000).toISOString();
    const schedule = await create(ann, { task: DEMO_TASK, at, maxSteps: 10 });
    expect(schedule).toMatchObject({ status: 'active', nextDueAt: at, catchUp: 'skip' });
    // Each replica stops (by PID) and starts again before the due time: the due list is the table.
    await restartFirst();
    await second.stop();
    second = await startSecond();
    expect(clock.now()).toBeLessThan(Date.parse(at));
    // The operator's CLI, built and run as the admin identity (docs/operations.md), lists it as due
    // and not overdue by the restarted replicas' clock — and nothing has fired yet.
    const due = await switchboard('schedules', 'due', '--within', '5', '--json');
    expect(due.status).toBe(0);
    const reply = JSON.parse(due.output.trim().split('\n').at(-1)!) as {
      now: string;
      due: Schedules.ScheduleDue[];
    };
    expect(Date.parse(reply.now)).toBeLessThan(Date.parse(at));
    expect(reply.due).toContainEqual(
      expect.objectContaining({
        scheduleId: schedule.scheduleId,
        tenantId: acme,
        userId: ann.user,
        nextDueAt: at,
        overdue: false,
      }),
    );
    expect(await firings(ann, schedule.scheduleId)).toEqual([]);
    // The due time comes: the clock moves just past it, for both replicas at once.
    clock.advanceTo(Date.parse(at) + 1_000);
    const [firing] = await waitFor(
      async () => {
        const fs = submitted(await firings(ann, schedule.scheduleId));
        return fs.length > 0 && fs.every((f) => f.publishedAt) && fs;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'the firing' },
    );
    expect(firing?.dueAt).toBe(at);
    const taskId = firing?.taskId ?? '';
    const task = await waitFor(
      async () => {
        const t = await json<Tasks.TaskView>(await call('GET', `/tasks/${taskId}`, ann), 200);
        return t.status === 'completed' && t;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the scheduled task to complete' },
    );
    expect(task).toMatchObject({ userId: ann.user, scheduleId: schedule.scheduleId });
    // Both replicas ticked many times past the due time (ten whole ticks each, counted by their
    // /metrics): still one firing, one task.
    await waitForTicks(orchestrators(), 10);
    expect(await firings(ann, schedule.scheduleId)).toHaveLength(1);
    expect(await get(ann, schedule.scheduleId)).toMatchObject({ status: 'done', firedCount: 1 });
    const list = await json<Tasks.TaskListResponse>(await call('GET', '/tasks', ann), 200);
    expect(list.tasks.map((t) => t.taskId)).toEqual([taskId]);
    // The store agrees: one task linked to the schedule, one firing row.
    const linked = await stack.dbs.orchestrator.query<{ id: string }>(
      'SELECT id FROM "Task" WHERE "scheduleId" = $1::uuid',
      [schedule.scheduleId],
    );
    expect(linked.map((r) => r.id)).toEqual([taskId]);
    // And the audit trail: the firing and its task's submission, each recorded once.
    const audited = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{
          action: string;
          outcome: string;
          taskId: string;
        }>(
          `SELECT action, outcome, "taskId" FROM "AuditEntry"
            WHERE (action = 'schedule.fire' AND resource = $1) OR (action = 'task.submit' AND resource = $2)
            ORDER BY action`,
          [schedule.scheduleId, taskId],
        );
        return rows.length >= 2 && rows;
      },
      { timeoutMs: 30_000, what: 'the audit records of the firing' },
    );
    expect(audited).toEqual([
      { action: 'schedule.fire', outcome: 'success', taskId },
      { action: 'task.submit', outcome: 'success', taskId },
    ]);
  }, 300_000);

  it('fires a cron schedule; paused, it fires nothing; resumed, it fires again', async () => {
    const bo: Who = { user: `bo-${stamp}`, tenant: acme };
    const s = await create(bo, { task: DEMO_TASK, cron: '* * * * *', timezone: 'Europe/Berlin' });
    expect(s).toMatchObject({ status: 'active', cron: '* * * * *', timezone: 'Europe/Berlin' });
    // Its first due time is the next minute boundary of the schedules' clock: the clock moves just
    // past it.
    const first = Date.parse(s.nextDueAt ?? '');
    expect(first % 60_000).toBe(0);
    clock.advanceTo(first + 1_000);
    await waitFor(async () => submitted(await firings(bo, s.scheduleId)).length >= 1, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'the first cron firing',
    });
    const paused = await json<Schedules.ScheduleView>(
      await call('POST', `/schedules/${s.scheduleId}/pause`, bo),
      200,
    );
    expect(paused.status).toBe('paused');
    expect(paused.nextDueAt).toBeUndefined();
    const before = (await firings(bo, s.scheduleId)).length;
    // The schedules' clock passes the next minute boundary, and each replica ticks ten whole times
    // after it: nothing fires while paused.
    const boundary = Math.ceil(clock.now() / 60_000) * 60_000;
    clock.advanceTo(boundary + 5_000);
    await waitForTicks(orchestrators(), 10);
    expect(await firings(bo, s.scheduleId)).toHaveLength(before);
    const resumed = await json<Schedules.ScheduleView>(
      await call('POST', `/schedules/${s.scheduleId}/resume`, bo),
      200,
    );
    expect(resumed.status).toBe('active');
    // From now on the schedules' clock (never earlier than the wall clock's now)
    expect(Date.parse(resumed.nextDueAt ?? '')).toBeGreaterThan(clock.now());
    clock.advanceTo(Date.parse(resumed.nextDueAt ?? '') + 1_000);
    await waitFor(async () => submitted(await firings(bo, s.scheduleId)).length > before, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'a firing after the resume',
    });
    const deleted = await call('DELETE', `/schedules/${s.scheduleId}`, bo);
    expect(deleted.status).toBe(200);
    expect((await call('GET', `/schedules/${s.scheduleId}`, bo)).status).toBe(404);
  }, 360_000);

  it('answers 400 naming the field for a bad cron, a bad time zone, a past at, both cron and at', async () => {
    const cy: Who = { user: `cy-${stamp}`, tenant: acme };
    const cases: [Record<string, unknown>, string][] = [
      [{ cron: '61 * * * *' }, 'cron'],
      [{ cron: '* * * *' }, 'cron'],
      [{ cron: '0 8 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ at: new Date(Date.now() - 60_000).toISOString() }, 'at'],
      [{ cron: '0 8 * * *', at: new Date(Date.now() + 3_600_000).toISOString() }, 'at'],
      [{}, 'cron'],
      [{ cron: '0 8 * * *', catchUp: 'all' }, 'catchUp'],
    ];
    for (const [extra, field] of cases) {
      const res = await call('POST', '/schedules', cy, { task: DEMO_TASK, ...extra });
      const body = await json<ErrorBody>(res, 400);
      expect([body.code, body.message]).toEqual(['VALIDATION', expect.stringContaining(field)]);
    }
    const list = await json<{ schedules: unknown[] }>(await call('GET', '/schedules', cy), 200);
    expect(list.schedules).toEqual([]);
  });

  it("keeps schedules to their owner and their tenant's admins: anyone else gets 404", async () => {
    const dee: Who = { user: `dee-${stamp}`, tenant: acme };
    const eve: Who = { user: `eve-${stamp}`, tenant: acme };
    const alan: Who = { user: `alan-${stamp}`, tenant: acme, role: 'admin' };
    const gina: Who = { user: `gina-${stamp}`, tenant: globex, role: 'admin' };
    const s = await create(dee, { task: DEMO_TASK, cron: '0 8 * * 1-5' });
    for (const who of [eve, gina]) {
      expect((await call('GET', `/schedules/${s.scheduleId}`, who)).status).toBe(404);
      expect((await call('POST', `/schedules/${s.scheduleId}/pause`, who)).status).toBe(404);
      expect((await call('GET', `/schedules/${s.scheduleId}/firings`, who)).status).toBe(404);
      expect((await call('DELETE', `/schedules/${s.scheduleId}`, who)).status).toBe(404);
      const theirs = await json<{ schedules: Schedules.ScheduleView[] }>(
        await call('GET', '/schedules', who),
        200,
      );
      expect(theirs.schedules.map((x) => x.scheduleId)).not.toContain(s.scheduleId);
    }
    expect((await get(alan, s.scheduleId)).userId).toBe(dee.user);
    const paused = await json<Schedules.ScheduleView>(
      await call('POST', `/schedules/${s.scheduleId}/pause`, alan),
      200,
    );
    expect(paused.status).toBe('paused');
    expect((await get(dee, s.scheduleId)).status).toBe('paused');
  });
});
