import { jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type {
  AuditTrail,
  ConsumerHandle,
  DurableOptions,
  JetStreamService,
} from '@switchboard/messaging';
import { type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import type { RunSlot } from './ports/run-slot.port.js';
import type { PlanRoundUseCase } from './plan-round/plan-round.use-case.js';
import type { RunTaskUseCase } from './run-task/run-task.use-case.js';
import type { TaskEventLog } from './task-event.log.js';
import { TaskConsumer } from './task.consumer.js';
import type { TaskRepository } from './task.repository.js';

const submission: Tasks.TaskSubmission = {
  taskId: '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  actor: { userId: 'u1', role: 'user' },
  request: { task: 'what is 1+1' },
  submittedAt: new Date().toISOString(),
  correlationId: 'c1',
};

async function setup() {
  let opts: DurableOptions<typeof Tasks.TaskSubmitted> | undefined;
  const health = { down: undefined as string | undefined };
  const handle: ConsumerHandle = {
    stop: async () => undefined,
    check: async () => {
      if (health.down) throw new Error(health.down);
    },
  };
  const jetstream = {
    ensureStreams: async () => undefined,
    consumeDurable: async (o: typeof opts) => {
      opts = o;
      return handle;
    },
  } as unknown as JetStreamService;
  let release!: () => void;
  const execute = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
  const readiness = new ReadinessRegistry();
  const consumer = new TaskConsumer(
    jetstream,
    { execute } as unknown as RunTaskUseCase,
    readiness,
    { TASK_CONCURRENCY: 2, TASK_ACK_WAIT_MS: 30_000 } as OrchestratorEnv,
    {} as TaskRepository,
    {} as TaskEventLog,
    { kind: 'builtin' } as PlanRoundUseCase,
    {} as AuditTrail,
    { warn: () => undefined, error: () => undefined } as unknown as Logger,
    {} as RunSlot,
    [],
  );
  await consumer.onApplicationBootstrap();
  return { opts: opts!, health, readiness, execute, release: () => release() };
}

const item = (count: number) => ({
  payload: submission,
  meta: { subject: 'sb.task.submit', correlationId: 'c1' },
  delivery: { deliveryCount: count, streamSeq: 1, working: () => undefined },
});

describe(TaskConsumer.name, () => {
  it('is ready only while its durable consumer works', async () => {
    const { health, readiness, opts } = await setup();
    expect((await readiness.run())['task-consumer']).toEqual({ status: 'up' });
    health.down = 'durable "orchestrator" on SB_TASKS: its pull loop ended';
    expect((await readiness.run())['task-consumer']).toEqual({
      status: 'down',
      detail: 'durable "orchestrator" on SB_TASKS: its pull loop ended',
    });
    expect(opts.onDeadLetter).toEqual(expect.any(Function));
  });

  it('runs a task delivered again while it runs here after the first run, never beside it', async () => {
    const { opts, execute, release } = await setup();
    const first = opts.handle(item(1));
    const second = opts.handle(item(2));
    // The second delivery (a resume sent while the task was pausing) waits for the first run.
    expect(execute).toHaveBeenCalledTimes(1);
    release();
    await first;
    expect(execute).toHaveBeenCalledTimes(2);
    release();
    await second;
    // Once both have ended, a new delivery runs at once.
    const third = opts.handle(item(3));
    expect(execute).toHaveBeenCalledTimes(3);
    release();
    await third;
  });
});
