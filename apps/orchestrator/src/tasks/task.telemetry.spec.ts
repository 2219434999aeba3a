import { type Tasks } from '@switchboard/contracts';
import { buildHeaders } from '@switchboard/messaging';
import { createLogger, Metrics, requestContext } from '@switchboard/observability';
import { UsageMeter } from './run-task/usage-meter.js';
import type { TaskEventSequence } from './task-event.stream.js';
import type { TaskRun } from './run-task/task-run.js';
import { TaskTelemetry } from './task.telemetry.js';
import { LIVE_RUN } from './run-task/live-run.source.js';

const TASK_ID = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function setup() {
  const lines: Record<string, unknown>[] = [];
  const metrics = new Metrics('orchestrator', 'o-1');
  const sut = new TaskTelemetry(
    metrics,
    createLogger({
      service: 'orchestrator',
      instance: 'o-1',
      level: 'info',
      pretty: false,
      destination: { write: (l: string) => void lines.push(JSON.parse(l)) },
    }),
  );
  const run = (resumed = false): TaskRun => ({
    submission: {
      taskId: TASK_ID,
      actor: { userId: 'u1', role: 'user' },
      request: { task: 'what is 17 * 23, with my secret plan' },
      submittedAt: new Date().toISOString(),
      correlationId: 'c1',
    },
    text: 'what is 17 * 23, with my secret plan',
    events: {} as TaskEventSequence,
    startedAt: new Date(),
    planner: 'builtin',
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
    retry: {},
    meter: new UsageMeter(0, undefined),
    plan: [] as Tasks.PlanAction[],
    resumed,
    stepsStored: new Set(),
    source: LIVE_RUN,
  });
  return { sut, metrics, lines, run };
}

/** One sample's value from Prometheus text, by name and the labels given (others ignored). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line ? Number(line.split(' ').pop()) : undefined;
}

describe(TaskTelemetry.name, () => {
  it('counts tasks in flight while they run, and started ones by kind', async () => {
    const { sut, metrics, run } = setup();
    let during: number | undefined;
    await sut.track(run().submission, 1, async () => {
      sut.begin(run(), 1, 0);
      during = sample(await metrics.text(), 'sb_tasks_in_flight', {});
    });
    const text = await metrics.text();
    expect(during).toBe(1);
    expect(sample(text, 'sb_tasks_in_flight', {})).toBe(0);
    expect(sample(text, 'sb_tasks_started_total', { kind: 'new' })).toBe(1);
    expect(sample(text, 'sb_tasks_started_total', { kind: 'resumed' })).toBe(0);
  });

  // Whatever delivered it (the gateway's first submission, a redelivery to another replica after a
  // crash, a resubmission after approvals): the run acts as the submission's actor, tenant included,
  // so every tool call and delegation it sends carries the task's x-sb-tenant-id.
  it("runs a task as its submission's actor, tenant included, whatever the delivery carried", async () => {
    const { sut, run } = setup();
    const submission = {
      ...run(true).submission,
      actor: { userId: 'u1', role: 'user', tenantId: 'acme' },
    };
    const delivered = { correlationId: 'c1', actor: { userId: 'u1', role: 'user' } };
    const headers = await requestContext.run(delivered, () =>
      sut.track(submission, 2, async () => buildHeaders('orchestrator')),
    );
    expect(headers.get('x-sb-tenant-id')).toBe('acme');
    expect(headers.get('x-sb-user-id')).toBe('u1');
  });

  it('counts and times ended tasks by outcome and error code', async () => {
    const { sut, metrics, run } = setup();
    sut.end(run(), { status: 'completed', result: '391' }, 1_200);
    sut.end(
      run(),
      { status: 'failed', error: { code: 'TIMEOUT', message: 'too slow', retryable: false } },
      90_000,
    );
    sut.end(run(), { status: 'cancelled', reason: 'user asked' }, 300);
    const text = await metrics.text();
    const finished = (outcome: string, code: string) =>
      sample(text, 'sb_tasks_finished_total', { outcome, code });
    expect(finished('completed', '')).toBe(1);
    expect(finished('failed', 'TIMEOUT')).toBe(1);
    expect(finished('cancelled', 'CANCELLED')).toBe(1);
    expect(
      sample(text, 'sb_task_duration_seconds_bucket', {
        outcome: 'failed',
        code: 'TIMEOUT',
        le: '60',
      }),
    ).toBe(0);
    expect(
      sample(text, 'sb_task_duration_seconds_bucket', {
        outcome: 'failed',
        code: 'TIMEOUT',
        le: '120',
      }),
    ).toBe(1);
  });

  it('writes one line when a task starts and one when it ends, naming the task, never its text', () => {
    const { sut, lines, run } = setup();
    const r = run();
    r.meter.add({ promptTokens: 100, completionTokens: 20, totalTokens: 120 }, 'm');
    r.plan.push({ id: 'a1', kind: 'tool', target: 'calculator', input: {}, description: 'x' });
    sut.begin({ ...r, planner: 'llm', model: 'gpt-test' }, 1, 0);
    sut.end(r, { status: 'completed', result: '391' }, 1_234.5);
    sut.begin(run(true), 2, 1);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'task started',
        taskId: TASK_ID,
        userId: 'u1',
        planner: 'llm',
        model: 'gpt-test',
      }),
      expect.objectContaining({
        level: 'info',
        msg: 'task finished',
        taskId: TASK_ID,
        outcome: 'completed',
        durationMs: 1235,
        steps: 1,
        tokens: 120,
      }),
      expect.objectContaining({
        level: 'warn',
        msg: 'resuming task after redelivery',
        taskId: TASK_ID,
        deliveryCount: 2,
        completedSteps: 1,
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret plan');
  });

  it('logs a failed task as a warning with its code and message', () => {
    const { sut, lines, run } = setup();
    sut.end(
      run(),
      {
        status: 'failed',
        error: { code: 'BUDGET_EXCEEDED', message: 'too many rounds', retryable: false },
      },
      10,
    );
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'task finished',
      outcome: 'failed',
      code: 'BUDGET_EXCEEDED',
      error: 'too many rounds',
    });
  });
});
