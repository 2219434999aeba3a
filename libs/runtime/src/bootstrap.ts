import 'reflect-metadata';
import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, type BaseEnv } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import { MessagingModule, type MessagingOptions, natsServerOptions } from '@switchboard/messaging';
import {
  createLogger,
  initTracing,
  type Logger,
  Metrics,
  ObservabilityModule,
  PinoNestLogger,
  type ServiceIdentity,
  shutdownTracing,
} from '@switchboard/observability';
import { hostname } from 'node:os';
import { createHealthHandler } from './health.handler.js';

export const PLATFORM_VERSION = '0.1.0';

export interface BootContext<C> {
  config: C;
  identity: ServiceIdentity;
  logger: Logger;
  metrics: Metrics;
}

export interface ServiceDefinition<C extends BaseEnv> {
  service: ServiceName;
  config: C;
  /** The service's own module (features, handlers, controllers). */
  module: (ctx: BootContext<C>) => Type<unknown> | DynamicModule;
  /** Largest accepted HTTP body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Runs after Nest is initialised and before it listens (e.g. extra Fastify routes). */
  configure?: (app: NestFastifyApplication, ctx: BootContext<C>) => Promise<void> | void;
}

export interface RunningService {
  app: NestFastifyApplication;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

/** What every service process sets up first: its identity, tracing, JSON logger and metrics. */
export function bootContext<C extends BaseEnv>(service: ServiceName, config: C): BootContext<C> {
  const identity: ServiceIdentity = {
    service,
    instance: config.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    version: PLATFORM_VERSION,
    startedAt: Date.now(),
  };
  initTracing({
    service: config.OTEL_SERVICE_NAME ?? service,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const logger = createLogger({
    service,
    instance: identity.instance,
    level: config.LOG_LEVEL,
    pretty: config.LOG_PRETTY,
  });
  return { config, identity, logger, metrics: new Metrics(service, identity.instance) };
}

/**
 * Starts one service: tracing, JSON logs, metrics, the config as a global provider, the NATS client
 * (NatsBus, JetStream), Nest's NATS server in the service's queue group, and the HTTP listener with
 * /health, /readiness and /metrics. Exits the process on a failed start, with one log line saying why.
 */
export async function bootstrapService<C extends BaseEnv>(
  def: ServiceDefinition<C>,
): Promise<RunningService> {
  const { config, service } = def;
  const ctx = bootContext(service, config);
  const { identity, logger, metrics } = ctx;
  const messaging: MessagingOptions = {
    service,
    instance: identity.instance,
    nats: {
      servers: config.NATS_SERVERS,
      user: config.NATS_USER,
      pass: config.NATS_PASSWORD,
      token: config.NATS_TOKEN,
    },
  };

  @Global()
  @Module({ providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] })
  class ConfigHolderModule {}

  @Module({
    imports: [
      ConfigHolderModule,
      ObservabilityModule.forRoot({ identity, logger, metrics }),
      MessagingModule.forRoot(messaging),
      def.module(ctx),
    ],
    controllers: [createHealthHandler(service)],
  })
  class RootModule {}

  try {
    const adapter = new FastifyAdapter({ bodyLimit: def.bodyLimit ?? 1_048_576, logger: false });
    adapter.getInstance().addHook('onResponse', (request, reply, done) => {
      metrics.httpRequests.inc({
        route: request.routeOptions.url ?? 'unmatched',
        method: request.method,
        status: String(reply.statusCode),
      });
      done();
    });
    const app = await NestFactory.create<NestFastifyApplication>(RootModule, adapter, {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
    });
    app.connectMicroservice(natsServerOptions(messaging), { inheritAppConfig: true });
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await def.configure?.(app, ctx);
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    logger.info({ url, nats: config.NATS_SERVERS, version: identity.version }, `${service} ready`);
    return {
      app,
      url,
      logger,
      close: async () => {
        await app.close();
        await shutdownTracing();
      },
    };
  } catch (e) {
    logger.fatal({ err: e }, `${service} failed to start: ${(e as Error).message}`);
    // Let the log line flush before exiting.
    await new Promise((resolve) => setImmediate(resolve));
    process.exit(1);
  }
}
