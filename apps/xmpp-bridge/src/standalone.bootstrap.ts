import {
  type DynamicModule,
  Global,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type BaseEnv } from '@switchboard/config';
import { ObservabilityModule, PinoNestLogger, shutdownTracing } from '@switchboard/observability';
import { bootContext } from '@switchboard/runtime';

/** Spans still queued go out before the process ends (Nest closes modules on SIGTERM/SIGINT). */
@Injectable()
class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTracing();
  }
}

/**
 * An agent's bridge: the same HTTP listener (/health, /readiness, /metrics), logs and tracing as
 * bootstrapService, but no NATS at all — it serves XMPP only, so sharing a NATS server with the
 * platform's bridge can never make it answer (or shadow) the platform's subjects.
 */
export async function bootstrapWithoutNats(config: BaseEnv, module: DynamicModule): Promise<void> {
  const service = 'xmpp-bridge';
  const { identity, logger, metrics } = bootContext(service, config);

  @Global()
  @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
  class ConfigHolderModule {}

  @Module({
    imports: [
      ConfigHolderModule,
      ObservabilityModule.forRoot({ identity, logger, metrics }),
      module,
    ],
    providers: [TracingFlush],
  })
  class RootModule {}

  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      RootModule,
      new FastifyAdapter({ logger: false }),
      {
        logger: new PinoNestLogger(logger),
        abortOnError: false,
      },
    );
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await app.listen(config.PORT, config.HOST);
    logger.info({ url: await app.getUrl(), role: 'xmpp only (no NATS)' }, `${service} ready`);
  } catch (e) {
    logger.fatal({ err: e }, `${service} failed to start: ${(e as Error).message}`);
    await new Promise((resolve) => setImmediate(resolve));
    process.exit(1);
  }
}
