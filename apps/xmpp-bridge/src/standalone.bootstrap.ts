import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BaseEnv } from '@switchboard/config';
import { ObservabilityModule, PinoNestLogger, shutdownTracing } from '@switchboard/observability';
import {
  appConfigModule,
  bootContext,
  type RunningService,
  ServiceStartError,
} from '@switchboard/runtime';

/**
 * An agent's bridge: the same HTTP listener (/health, /readiness, /metrics), logs and tracing as
 * launchService, but no NATS at all — it serves XMPP only, so sharing a NATS server with the
 * platform's bridge can never make it answer (or shadow) the platform's subjects. Like launchService,
 * it leaves the process' signals to its caller and throws (after a fatal log line) when it cannot start.
 */
export async function launchWithoutNats(
  config: BaseEnv,
  module: DynamicModule,
): Promise<RunningService> {
  const service = 'xmpp-bridge';
  const { identity, logger, metrics } = bootContext(service, config);

  @Module({
    imports: [
      appConfigModule(config),
      ObservabilityModule.forRoot({ identity, logger, metrics }),
      module,
    ],
  })
  class RootModule {}

  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      RootModule,
      new FastifyAdapter({ logger: false }),
      { logger: new PinoNestLogger(logger), abortOnError: false },
    );
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    logger.info({ url, role: 'xmpp only (no NATS)' }, `${service} ready`);
    const started = app;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await started.close();
        // Spans still queued go out before the process ends.
        await shutdownTracing(service);
      })());
    return { service, app, url, logger, graceMs: config.SHUTDOWN_GRACE_MS, close };
  } catch (e) {
    logger.fatal({ err: e }, `${service} failed to start: ${(e as Error).message}`);
    await app?.close().catch(() => undefined);
    throw new ServiceStartError(service, e);
  }
}
