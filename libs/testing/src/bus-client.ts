import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ServiceName } from '@switchboard/contracts';
import { AuditTrail, JetStreamService, MessagingModule, NatsBus } from '@switchboard/messaging';
import { createLogger, Metrics, ObservabilityModule } from '@switchboard/observability';

export interface BusClient {
  bus: NatsBus;
  jetstream: JetStreamService;
  audit: AuditTrail;
  close(): Promise<void>;
}

/**
 * A NatsBus + JetStream client for tests, wired exactly as services wire theirs (same module), acting as
 * `as` (a service name) so headers and audit sources look real.
 */
export async function createBusClient(
  natsUrl: string,
  as: ServiceName = 'gateway',
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
        service: as,
        instance: identity.instance,
        nats: { servers: [natsUrl] },
      }),
    ],
  })
  class BusClientModule {}
  const app = await NestFactory.createApplicationContext(BusClientModule, { logger: false });
  return {
    bus: app.get(NatsBus),
    jetstream: app.get(JetStreamService),
    audit: app.get(AuditTrail),
    close: () => app.close(),
  };
}
