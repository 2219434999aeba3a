import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { TaskEventStream, Tasks } from '@switchboard/contracts';
import { type BusSubscription, JetStreamService, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import { TaskLogBuffer } from './task-log.buffer.js';

/** The durable earlier releases read the task logs from (SB_TASK_EVENTS): removed at start-up. */
export const RETIRED_DURABLE = 'task-logs';

const SWEEP_EVERY_MS = 1_000;

/**
 * Hears every task event live (core NATS, no queue group: each replica hears every task, as a gateway
 * does) and holds it in the TaskLogBuffer until the task's end record is chained (TaskLogEnds). No
 * JetStream consumer: a message missed here is read from the orchestrator's journal at the end.
 */
@Injectable()
export class TaskLogListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private sub: BusSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bus: NatsBus,
    private readonly jetstream: JetStreamService,
    private readonly buffer: TaskLogBuffer,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: AuditEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.TASK_LOGS_ENABLED) return;
    // SB_TASK_EVENTS stays (operators' `switchboard tail` reads it); only its task-log reader goes.
    await this.jetstream.ensureStreams([TaskEventStream]);
    if (await this.jetstream.deleteDurable(TaskEventStream, RETIRED_DURABLE))
      this.logger.info({ durable: RETIRED_DURABLE }, 'removed the retired task-log durable');
    const sub = this.bus.subscribe(Tasks.TaskEventPublished, (stored) =>
      this.buffer.offer(Tasks.eventsOf(stored)),
    );
    this.sub = sub;
    await sub.ready;
    this.timer = setInterval(() => this.buffer.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
    this.readiness.register('task-log-subscription', async () => {
      // the server has it (a refusal would say so); a lost connection is the bus' own check
      await sub.ready;
      if (sub.refusal) throw new Error(`task log subscription refused: ${sub.refusal}`);
    });
    this.logger.info(
      { dir: this.config.TASK_LOG_DIR, retentionDays: this.config.TASK_LOG_RETENTION_DAYS },
      'per-task logs enabled',
    );
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.sub?.unsubscribe();
  }
}
