import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServiceName } from '@switchboard/contracts';
import {
  AuditTrail,
  JetStreamService,
  MessagingModule,
  type MessagingOptions,
  NatsBus,
  type NatsSettings,
} from '@switchboard/messaging';
import { createLogger, Metrics, ObservabilityModule } from '@switchboard/observability';

export interface BusClient {
  bus: NatsBus;
  jetstream: JetStreamService;
  audit: AuditTrail;
  /** The client's metrics registry (what its /metrics would show). */
  metrics: Metrics;
  close(): Promise<void>;
}

/**
 * A NatsBus + JetStream client for tests, wired exactly as services wire theirs (same module), acting as
 * `as` (a service name) so headers and audit sources look real. `nats`: connection settings (an
 * identity's credentials, TLS) instead of plain `natsUrl`; `messaging`: other messaging options (a
 * test's shorter command heartbeat or replay pulls).
 */
export async function createBusClient(
  natsUrl: string,
  as: ServiceName = 'gateway',
  nats: NatsSettings = { servers: [natsUrl] },
  messaging: Pick<MessagingOptions, 'commandHeartbeatMs' | 'replayPullExpiresMs'> = {},
): Promise<BusClient> {
  const identity = {
    service: as,
    instance: `test-${process.pid}`,
    version: 'test',
    startedAt: Date.now(),
  };
  const logger = createLogger({
    service: as,
    instance: identity.instance,
    level: 'warn',
    pretty: false,
  });
  @Module({
    imports: [
      ObservabilityModule.forRoot({
        identity,
        logger,
        metrics: new Metrics(as, identity.instance),
      }),
      MessagingModule.forRoot({
        ...messaging,
        service: as,
        instance: identity.instance,
        nats,
      }),
    ],
  })
  class BusClientModule {}
  // abortOnError false: a client that cannot start (NATS away, a refused identity) is an error of the
  // test that asked for it, not a process.exit of the whole jest run (every later suite lost).
  const app = await NestFactory.createApplicationContext(BusClientModule, {
    logger: false,
    abortOnError: false,
  });
  return {
    bus: app.get(NatsBus),
    jetstream: app.get(JetStreamService),
    audit: app.get(AuditTrail),
    metrics: app.get(Metrics),
    close: () => app.close(),
  };
}
