import type { Schedules, Tasks } from '@switchboard/contracts';
import { DEMO_TASK, type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ScheduleTestClock } from './support/schedule-clock.js';

/**
 * A schedule firing into a thread joins it as a message does (docs/schedules.md, docs/api.md
 * "Threads"), under the orchestrator's THREAD_POLICY_DEFAULT — here `reject`: while the thread's
 * task waits for an approval, the firing is refused (recorded skipped, no task, audited as denied)
 * and the running task is left alone; once the thread is free, the next firing runs. Real
 * processes, NATS with the services' identities; each firing's due time comes when the test moves
 * the schedules' clock (SCHEDULE_CLOCK_FILE) to it.
 */
describe('a schedule firing into a busy thread (real processes, THREAD_POLICY_DEFAULT=reject)', () => {
  let stack: Stack;
  const clock = new ScheduleTestClock();
  const ann = `ann-${randomUUID().slice(0, 8)}`;
  const thread = `standup-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      env: {
        orchestrator: { SCHEDULE_TICK_MS: '500', THREAD_POLICY_DEFAULT: 'reject', ...clock.env },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    clock.remove();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': ann, 'x-user-role': 'user' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  async function json<T>(res: Response, status: number): Promise<T> {
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
  const firingsOf = async (id: string) =>
    (
      await json<{ firings: Schedules.ScheduleFiringView[] }>(
        await call('GET', `/schedules/${id}/firings`),
        200,
      )
    ).firings;
  /** A one-shot into the thread a minute ahead, whose time then comes: the clock moves past it. */
  const oneShot = async () => {
    const at = clock.now() + 60_000;
    const schedule = await json<Schedules.ScheduleView>(
      await call('POST', '/schedules', {
        task: DEMO_TASK,
        threadId: thread,
        at: new Date(at).toISOString(),
      }),
      201,
    );
    clock.advanceTo(at + 1_000);
    return schedule;
  };

  it('is refused while the thread is busy, and runs once it is free', async () => {
    // The thread's task stops at notes.add for an approval: it holds the thread.
    const first = await json<{ task_id: string; status: string }>(
      await call('POST', '/orchestrate', {
        task: DEMO_TASK,
        thread_id: thread,
        approval: { tools: ['notes.add'] },
      }),
      202,
    );
    expect(first.status).toBe('waiting_approval');

    const refused = await oneShot();
    // Settled: a firing is recorded (as submitted) when a ticker claims it, and refused by the thread
    // just after; either end stamps its publishedAt.
    const [firing] = await waitFor(
      async () => {
        const fs = await firingsOf(refused.scheduleId);
        return fs.length > 0 && fs.every((f) => f.publishedAt) && fs;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the firing into the busy thread' },
    );
    expect(firing).toMatchObject({ status: 'skipped' });
    expect(firing?.taskId).toBeUndefined();
    const denied = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{
          outcome: string;
          details: { running_task_id?: string };
        }>(
          `SELECT outcome, details FROM "AuditEntry" WHERE action = 'schedule.fire' AND resource = $1`,
          [refused.scheduleId],
        );
        return rows.length > 0 && rows;
      },
      { what: 'the audit record of the refused firing' },
    );
    expect(denied).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        details: expect.objectContaining({ running_task_id: first.task_id }),
      }),
    ]);
    // The running task was left alone.
    const still = await json<Tasks.TaskView>(await call('GET', `/tasks/${first.task_id}`), 200);
    expect(still.status).toBe('waiting_approval');

    // The thread free again (its task cancelled and ended), the next firing runs in it.
    expect((await call('POST', `/tasks/${first.task_id}/cancel`, {})).status).toBe(202);
    await waitFor(
      async () =>
        (await json<Tasks.TaskView>(await call('GET', `/tasks/${first.task_id}`), 200)).status ===
        'cancelled',
      { timeoutMs: 60_000, what: 'the first task cancelled' },
    );
    const runs = await oneShot();
    const [ran] = await waitFor(
      async () => {
        const fs = await firingsOf(runs.scheduleId);
        return fs.length > 0 && fs.every((f) => f.publishedAt) && fs;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the firing into the free thread' },
    );
    expect(ran).toMatchObject({ status: 'submitted' });
    const task = await waitFor(
      async () => {
        const t = await json<Tasks.TaskView>(await call('GET', `/tasks/${ran?.taskId}`), 200);
        return t.status === 'completed' && t;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the scheduled task to complete' },
    );
    expect(task).toMatchObject({ threadId: thread, scheduleId: runs.scheduleId });
  }, 240_000);
});
