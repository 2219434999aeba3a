import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LOGGER, type Logger, ReadinessRegistry } from '@switchboard/observability';
import { AuditTrail } from './audit-trail.service.js';
import { ConnectionWatch } from './connection.watch.js';
import { JetStreamService } from './jetstream.service.js';
import {
  CONNECTION_WATCH,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NATS_CONNECTION,
  natsConnectionOptions,
} from './messaging.options.js';
import { NatsBus } from './nats-bus.service.js';

/** How often the connection is probed with a round trip, and how long one may take. */
const PROBE_EVERY_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Tracks the connection's status for readiness, probes it with a round trip every few seconds (a
 * connection the client holds as up may not be answered: requests then fail fast instead of waiting
 * out their timeouts; see ConnectionWatch.usable), and closes it (draining) on shutdown.
 */
class NatsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private connected = true;
  private prober: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(CONNECTION_WATCH) private readonly watch: ConnectionWatch,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly readiness: ReadinessRegistry,
    private readonly jetstream: JetStreamService,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', async () => {
      if (this.nc.isClosed() || !this.connected) throw new Error('NATS is disconnected');
      if (!this.watch.usable) throw new Error('NATS does not answer this connection');
      await this.nc.flush();
    });
    this.prober = setInterval(() => void this.probe(), PROBE_EVERY_MS);
    this.prober.unref();
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

  /** One round trip within PROBE_TIMEOUT_MS, or the connection is taken for not usable until one. */
  private async probe(): Promise<void> {
    if (this.probing || this.nc.isClosed() || !this.connected) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answered = await Promise.race([
        this.nc.flush().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>(
          (resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)),
        ),
      ]);
      if (this.watch.usable && !answered)
        this.logger.error(
          { timeoutMs: PROBE_TIMEOUT_MS },
          'NATS does not answer this connection; requests fail fast until it does',
        );
      else if (!this.watch.usable && answered)
        this.logger.info('NATS answers this connection again');
      this.watch.probed(answered);
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
  }

  /** Order matters: stop consuming, let audit records in flight land, then drain the connection. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.prober);
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
        {
          provide: CONNECTION_WATCH,
          useFactory: (nc: NatsConnection) => new ConnectionWatch(nc),
          inject: [NATS_CONNECTION],
        },
        NatsLifecycle,
        NatsBus,
        JetStreamService,
        AuditTrail,
      ],
      exports: [
        NATS_CONNECTION,
        CONNECTION_WATCH,
        MESSAGING_OPTIONS,
        NatsBus,
        JetStreamService,
        AuditTrail,
      ],
    };
  }
}
