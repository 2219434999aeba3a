import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LOGGER, type Logger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import { AuditTrail } from './audit-trail.service.js';
import { setHandlerObserver } from './handle-command.decorator.js';
import { JetStreamService } from './jetstream.service.js';
import {
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NATS_CONNECTION,
  natsConnectionOptions,
} from './messaging.options.js';
import { NatsBus } from './nats-bus.service.js';

/** Tracks the connection's status for readiness and closes it (draining) on shutdown. */
class NatsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private connected = true;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
    private readonly jetstream: JetStreamService,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', async () => {
      if (this.nc.isClosed() || !this.connected) throw new Error('NATS is disconnected');
      await this.nc.flush();
    });
    setHandlerObserver({
      handled: (subject, outcome, seconds) =>
        this.metrics.observeNatsHandled(subject, outcome, seconds),
      unexpected: (subject, errorId, error) =>
        this.logger.error({ err: error, subject, errorId }, 'unexpected error in command handler'),
      invalidReply: (subject, error) =>
        this.logger.error(
          { subject, issues: error.details },
          'command handler produced an invalid reply',
        ),
      refused: (subject, reason, fields) =>
        this.logger.warn({ subject, ...fields, reason }, `refused a request: ${reason}`),
    });
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect') {
          this.connected = false;
          this.logger.warn('NATS disconnected; reconnecting');
        } else if (s.type === 'reconnect') {
          this.connected = true;
          this.logger.info('NATS reconnected');
        } else if (s.type === 'error' && /permissions violation/i.test(s.error.message)) {
          // The server refused something this identity's permissions do not allow: a setup problem.
          this.logger.error(
            { reason: s.error.message },
            'NATS refused an operation this identity is not permitted (its NATS permissions, docs/operations.md)',
          );
        }
      }
    })();
  }

  /** Order matters: stop consuming, let audit records in flight land, then drain the connection. */
  async onApplicationShutdown(): Promise<void> {
    await this.jetstream.stopConsumers();
    await this.audit.flush();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}

/** The NATS client side of a service: one connection, NatsBus and JetStream. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            connect(
              natsConnectionOptions(
                `${options.service}:${options.instance}:client`,
                options.nats,
                options.service,
              ),
            ),
        },
        NatsLifecycle,
        NatsBus,
        JetStreamService,
        AuditTrail,
      ],
      exports: [NATS_CONNECTION, MESSAGING_OPTIONS, NatsBus, JetStreamService, AuditTrail],
    };
  }
}
