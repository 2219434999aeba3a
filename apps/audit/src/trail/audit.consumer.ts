import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Audit, AuditChainedStream, AuditStream, DeadLetterStream } from '@switchboard/contracts';
import { type ConsumerHandle, JetStreamService } from '@switchboard/messaging';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import { AuditAppendQueue } from './audit-append.queue.js';

/**
 * The durable consumer of the audit stream. A batch is acked only after its transaction committed;
 * records redelivered after a crash are recognised by id and not stored twice.
 */
@Injectable()
export class AuditConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly jetstream: JetStreamService,
    private readonly queue: AuditAppendQueue,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: AuditEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStreams([AuditStream, AuditChainedStream, DeadLetterStream]);
    this.handle = await this.jetstream.consumeDurableBatch({
      contract: Audit.AuditRecorded,
      durable: 'audit',
      // The whole stream (sb.audit.>), not only the pattern (sb.audit.*.*): records an older release
      // published on sb.audit.<category> — still in the stream, or sent by its pods during a rolling
      // upgrade — are stored too.
      filterSubject: AuditStream.subjects[0] ?? Audit.AuditRecorded.pattern,
      maxBatch: this.config.AUDIT_BATCH_SIZE,
      lingerMs: this.config.AUDIT_BATCH_LINGER_MS,
      ackWaitMs: this.config.AUDIT_ACK_WAIT_MS,
      maxDeliver: this.config.AUDIT_MAX_DELIVER,
      retryDelaysMs: [1_000, 2_000, 5_000, 10_000, 30_000, 60_000],
      handleBatch: async (items) => {
        // with the relayed records of the same moment, in one append (AuditAppendQueue)
        const stored = (await this.queue.append(items.map((i) => i.payload))).length;
        this.logger.debug({ received: items.length, stored }, 'audit batch committed');
      },
    });
    this.readiness.register('audit-consumer', async () => {
      if (!this.handle) throw new Error('audit consumer not running');
      // The pull loop runs and the server still knows the durable (a lost one is recreated).
      await this.handle.check();
    });
  }
}
