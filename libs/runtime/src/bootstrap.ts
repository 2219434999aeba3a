import 'reflect-metadata';
import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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
import { parseJsonBody } from './json-body.parser.js';

export const PLATFORM_VERSION = '0.1.0';

export interface BootContext<C> {
  config: C;
  identity: ServiceIdentity;
  logger: Logger;
  metrics: Metrics;
}

/** The HTTP listener's edge settings (every service answers HTTP; the gateway's API needs them). */
export interface HttpOptions {
  /**
   * Which peers may set X-Forwarded-For/-Proto/-Host: `false` (none, the default), `true` (any — only
   * behind a proxy that overwrites them), a hop count, or addresses/CIDRs of the proxies.
   */
  trustProxy?: boolean | number | readonly string[];
  /** Longest path parameter the router accepts, in characters as sent (default 512). */
  maxParamLength?: number;
  /**
   * Answers the errors Fastify's router raises before any hook or route runs (malformed percent-encoding,
   * an over-long parameter). Without it Fastify's own JSON error is sent.
   */
  frameworkErrors?: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void;
}

/**
 * Room for the longest valid parameter fully percent-encoded (a 128-character user id is up to 384),
 * so the router never refuses what the route's own validation would accept.
 */
export const DEFAULT_MAX_PARAM_LENGTH = 512;

export interface ServiceDefinition<C extends BaseEnv> {
  service: ServiceName;
  config: C;
  /** The service's own module (features, handlers, controllers). */
  module: (ctx: BootContext<C>) => Type<unknown> | DynamicModule;
  /** Largest accepted HTTP body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** The HTTP listener: trusted proxies, router limits, the answer to router errors. */
  http?: HttpOptions;
  /** Runs after Nest is initialised and before it listens (e.g. extra Fastify routes). */
  configure?: (app: NestFastifyApplication, ctx: BootContext<C>) => Promise<void> | void;
}

export interface RunningService {
  app: NestFastifyApplication;
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

function trustProxyOption(trust: HttpOptions['trustProxy']): {
  trustProxy?: boolean | string[] | ((address: string, hop: number) => boolean);
} {
  if (trust === undefined || trust === false) return {};
  // Fastify reads a hop count as "trust the n nearest proxies"; its types only know the function form.
  if (typeof trust === 'number') return { trustProxy: (_address, hop) => hop < trust };
  return { trustProxy: trust === true ? true : [...trust] };
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
    const adapter = new FastifyAdapter({
      bodyLimit: def.bodyLimit ?? 1_048_576,
      logger: false,
      maxParamLength: def.http?.maxParamLength ?? DEFAULT_MAX_PARAM_LENGTH,
      ...trustProxyOption(def.http?.trustProxy),
      ...(def.http?.frameworkErrors ? { frameworkErrors: def.http.frameworkErrors } : {}),
    });
    // Every service speaks JSON only: Fastify's parsers (JSON, text/plain) are replaced by one JSON
    // parser and Nest adds no form parser (bodyParser: false below), so a body of any other media type
    // (a cross-origin form post included) is refused with 415 before a route sees it.
    const fastify = adapter.getInstance();
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      (_request, body, done) => {
        try {
          done(null, parseJsonBody(body as string));
        } catch (e) {
          done(e as Error, undefined);
        }
      },
    );
    fastify.addHook('onResponse', (request, reply, done) => {
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
      bodyParser: false,
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
