import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DeadLetterStream, TaskEventStream, Tasks } from '@switchboard/contracts';
import {
  type BatchCutter,
  type ConsumerHandle,
  type DurableItem,
  JetStreamService,
} from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import { TaskLogMetrics } from './task-log.metrics.js';
import { TaskLogWriter } from './task-log.writer.js';

/** Most stored messages in one batch (about eight per demo task; several tasks end in one batch). */
const MAX_BATCH = 1_000;

/**
 * The per-task log archive's durable consumer of the task event stream (a second consumer next to the
 * gateway's live feeds). A batch is acked once its lines are on disk; a redelivered batch rewrites
 * nothing (see TaskLogWriter).
 *
 * A task's events come in one stored message per step, and each batch rewrites the folder of every
 * task in it (metadata.json replaced, each file appended). So a batch lingers up to
 * TASK_LOG_LINGER_MS for the rest of its tasks' events and goes as soon as every task in it has
 * ended: a task shorter than that is written once, at its end, instead of once per message. Holding
 * the messages unacknowledged meanwhile is what keeps a crash from losing them (redelivered after
 * AUDIT_ACK_WAIT_MS).
 */
@Injectable()
export class TaskLogConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly writer: TaskLogWriter,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: TaskLogMetrics,
    @Inject(APP_CONFIG) private readonly config: AuditEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.TASK_LOGS_ENABLED) return;
    await this.jetstream.ensureStreams([TaskEventStream, DeadLetterStream]);
    this.handle = await this.jetstream.consumeDurableBatch({
      contract: Tasks.TaskEventPublished,
      durable: 'task-logs',
      maxBatch: MAX_BATCH,
      lingerMs: this.config.TASK_LOG_LINGER_MS,
      cutter: endOfTasks,
      ackWaitMs: this.config.AUDIT_ACK_WAIT_MS,
      maxDeliver: this.config.AUDIT_MAX_DELIVER,
      retryDelaysMs: [1_000, 2_000, 5_000, 10_000, 30_000, 60_000],
      handleBatch: async (items) => {
        // A task's tenant is the one its events were published in (the task's owner's, in headers).
        const tenants = new Map<string, string>();
        for (const { meta, payload } of items) {
          const tenantId = meta.actor?.tenantId;
          if (tenantId && !tenants.has(payload.taskId)) tenants.set(payload.taskId, tenantId);
        }
        const tasks = await this.writer.write(
          items.flatMap((i) => Tasks.eventsOf(i.payload)),
          tenants,
        );
        this.metrics.writes.inc(tasks);
        this.logger.debug({ messages: items.length, tasks }, 'task log batch written');
      },
    });
    this.readiness.register('task-log-consumer', async () => {
      if (!this.handle) throw new Error('task log consumer not running');
      // The pull loop runs and the server still knows the durable (a lost one is recreated).
      await this.handle.check();
    });
    this.logger.info(
      { dir: this.writer.root, retentionDays: this.config.TASK_LOG_RETENTION_DAYS },
      'per-task logs enabled',
    );
  }
}

const TERMINAL = new Set<string>(Tasks.TERMINAL_TASK_EVENTS);

/**
 * A batch may go once every task it holds has ended (a terminal event is always the last of its
 * task's messages); a message of a task already ended in the batch (a redelivery) keeps nothing open.
 */
function endOfTasks(): BatchCutter<DurableItem<Tasks.StoredTaskEvents>> {
  const open = new Set<string>();
  const ended = new Set<string>();
  return ({ payload }) => {
    const taskId = payload.taskId;
    if (Tasks.eventsOf(payload).some((e) => TERMINAL.has(e.name))) {
      ended.add(taskId);
      open.delete(taskId);
    } else if (!ended.has(taskId)) open.add(taskId);
    return open.size === 0;
  };
}
