import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DeadLetterStream, TaskEventStream, Tasks } from '@switchboard/contracts';
import { type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import { TaskLogWriter } from './task-log.writer.js';

/**
 * The per-task log archive's durable consumer of the task event stream (a second consumer next to the
 * gateway's live feeds). A batch is acked once its lines are on disk; a redelivered batch rewrites
 * nothing (see TaskLogWriter).
 */
@Injectable()
export class TaskLogConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly writer: TaskLogWriter,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: AuditEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.TASK_LOGS_ENABLED) return;
    await this.jetstream.ensureStreams([TaskEventStream, DeadLetterStream]);
    this.handle = await this.jetstream.consumeDurableBatch({
      contract: Tasks.TaskEventPublished,
      durable: 'task-logs',
      maxBatch: this.config.AUDIT_BATCH_SIZE,
      lingerMs: this.config.AUDIT_BATCH_LINGER_MS,
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
        await this.writer.write(
          items.flatMap((i) => Tasks.eventsOf(i.payload)),
          tenants,
        );
        this.logger.debug({ events: items.length }, 'task log batch written');
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
