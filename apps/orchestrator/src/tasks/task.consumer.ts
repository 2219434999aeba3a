import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { ALL_STREAMS, Tasks } from '@switchboard/contracts';
import { type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { ReadinessRegistry } from '@switchboard/observability';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import { RunTaskUseCase } from './run-task.use-case.js';

/**
 * Takes task submissions from the durable work queue (one replica per task, TASK_CONCURRENCY at a
 * time) and acks each only once the task is terminal. A replica that dies mid-task stops sending
 * heartbeats; after TASK_ACK_WAIT_MS JetStream hands the task to another replica, which resumes it.
 */
@Injectable()
export class TaskConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly runTask: RunTaskUseCase,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: OrchestratorEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams(ALL_STREAMS);
    this.handle = await this.jetstream.consumeDurable({
      contract: Tasks.TaskSubmitted,
      durable: 'orchestrator',
      concurrency: this.config.TASK_CONCURRENCY,
      ackWaitMs: this.config.TASK_ACK_WAIT_MS,
      maxDeliver: 5,
      retryDelaysMs: [1_000, 5_000, 15_000],
      handle: ({ payload, delivery }) => this.runTask.execute(payload, delivery.deliveryCount),
    });
    this.readiness.register('task-consumer', async () => {
      if (!this.handle) throw new Error('task consumer not running');
    });
  }
}
