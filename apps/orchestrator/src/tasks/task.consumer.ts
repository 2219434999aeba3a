import { Inject, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { ALL_STREAMS, Tasks } from '@switchboard/contracts';
import { AuditTrail, type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import { RUN_SLOT, type RunSlot } from './ports/run-slot.port.js';
import { FailedSubmissions } from './finish-task/failed-submission.js';
import { PlanRoundUseCase } from './plan-round/plan-round.use-case.js';
import { TASK_OBSERVERS, type TaskObserver } from './ports/task-observer.port.js';
import { RunTaskUseCase } from './run-task/run-task.use-case.js';
import { TaskEventLog } from './task-event.log.js';
import { TaskRepository } from './task.repository.js';

/**
 * Takes task submissions from the durable work queue (one replica per task, TASK_CONCURRENCY at a
 * time) and acks each only once the task is terminal. A replica that dies mid-task stops sending
 * heartbeats; after TASK_ACK_WAIT_MS JetStream hands the task to another replica, which resumes it.
 * A submission that can never run (it fails its contract, the database refuses it) or fails on every
 * attempt is dead-lettered, and its task ends as failed (FailedSubmissions), so no client waits on it.
 */
@Injectable()
export class TaskConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;
  private readonly failures: FailedSubmissions;
  /** Tasks this replica is running, so a second delivery of one waits for it instead of racing it. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly runTask: RunTaskUseCase,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: OrchestratorEnv,
    repository: TaskRepository,
    eventLog: TaskEventLog,
    planning: PlanRoundUseCase,
    audit: AuditTrail,
    @Inject(LOGGER) logger: Logger,
    @Inject(RUN_SLOT) slots: RunSlot,
    @Optional() @Inject(TASK_OBSERVERS) observers: readonly TaskObserver[] = [],
  ) {
    this.failures = new FailedSubmissions(
      repository,
      eventLog,
      planning.kind,
      audit,
      logger,
      slots,
      observers,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams(ALL_STREAMS);
    this.handle = await this.jetstream.consumeDurable({
      contract: Tasks.TaskSubmitted,
      durable: 'orchestrator',
      concurrency: this.config.TASK_CONCURRENCY,
      ackWaitMs: this.config.TASK_ACK_WAIT_MS,
      maxDeliver: 5,
      retryDelaysMs: [1_000, 5_000, 15_000],
      handle: ({ payload, delivery }) => this.run(payload, delivery.deliveryCount),
      onDeadLetter: (dead) => this.failures.end(dead),
    });
    this.readiness.register('task-consumer', async () => {
      if (!this.handle) throw new Error('task consumer not running');
      await this.handle.check();
    });
  }

  private run(submission: Tasks.TaskSubmission, deliveryCount: number): Promise<void> {
    // Delivered again while it runs here (its durable was recreated, or a decision submitted it again
    // while it was pausing): the second run starts when the first has ended, from what the first
    // stored — running both at once would interleave two event sequences.
    const current = this.running.get(submission.taskId);
    const execute = () => this.runTask.execute(submission, deliveryCount);
    const run = (current ? current.then(execute, execute) : execute()).finally(() => {
      if (this.running.get(submission.taskId) === run) this.running.delete(submission.taskId);
    });
    this.running.set(submission.taskId, run);
    return run;
  }
}
