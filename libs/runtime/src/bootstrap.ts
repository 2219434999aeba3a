import 'reflect-metadata';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  type BaseEnv,
  ConfigError,
  jetStreamSettings,
  natsConnectionSettings,
} from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import {
  type CommandServer,
  commandObserver,
  MessagingModule,
  type MessagingOptions,
  natsServerOptions,
  untilDeadline,
} from '@switchboard/messaging';
import {
  createLogger,
  initTracing,
  type Logger,
  Metrics,
  ObservabilityModule,
  PinoNestLogger,
  runAsService,
  type ServiceIdentity,
  shutdownTracing,
} from '@switchboard/observability';
import { hostname } from 'node:os';
import { appConfigModule } from './app-config.module.js';
import { createHealthHandler } from './health.handler.js';
import { instrumentHttp } from './http-telemetry.js';
import { parseJsonBody } from './json-body.parser.js';
import { drainService, ServiceShutdownModule } from './service-shutdown.js';
import { discardUnreadBody } from './unread-body.js';

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
  /**
   * Fields the service adds to each request's access line once it is answered (e.g. the user and
   * request id). Never a credential.
   */
  describeRequest?: (request: FastifyRequest) => Record<string, unknown>;
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
  /** Runs once the providers exist, before the lifecycle hooks and listeners (e.g. Fastify hooks). */
  configure?: (app: NestFastifyApplication, ctx: BootContext<C>) => Promise<void> | void;
  /**
   * Starts the service another way than with NATS (the xmpp-bridge of an agent, which serves XMPP
   * only). Like launchService: logs why it failed and throws, leaving nothing running.
   */
  launch?: () => Promise<RunningService>;
}

export interface RunningService {
  service: ServiceName;
  app: NestFastifyApplication;
  url: string;
  logger: Logger;
  /** SHUTDOWN_GRACE_MS: how long close() lets work in flight finish. */
  graceMs: number;
  /** Drains work in flight (up to SHUTDOWN_GRACE_MS), then closes everything; what SIGTERM runs. */
  close(): Promise<void>;
}

/** A service that could not start; its log already has the fatal line saying why. */
export class ServiceStartError extends Error {
  constructor(
    readonly service: ServiceName,
    cause: unknown,
  ) {
    super(`${service} failed to start: ${(cause as Error).message}`, { cause });
    this.name = 'ServiceStartError';
  }
}

/**
 * A service's definition could not be made from its settings (e.g. mcp-tools' credentials file): the
 * message is printed as it is, like a ConfigError's.
 */
export class ServiceSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceSetupError';
  }
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
    scope: service,
    instance: identity.instance,
    version: identity.version,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    sampler: config.OTEL_TRACES_SAMPLER,
    samplerRatio: config.OTEL_TRACES_SAMPLER_ARG,
    exportDelayMs: config.OTEL_BSP_SCHEDULE_DELAY,
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
 * What a service's main.ts runs: makes the definition from its settings (a ConfigError or
 * ServiceSetupError is printed and the process exits 1), then bootstrapService.
 */
export async function runService<C extends BaseEnv>(
  define: () => ServiceDefinition<C>,
): Promise<RunningService> {
  let def: ServiceDefinition<C>;
  try {
    def = define();
  } catch (e) {
    if (!(e instanceof ConfigError) && !(e instanceof ServiceSetupError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  return bootstrapService(def);
}

/**
 * Starts one service as its own process: launchService, then SIGTERM/SIGINT stop it gracefully. Exits
 * the process on a failed start, with one log line saying why.
 */
export async function bootstrapService<C extends BaseEnv>(
  def: ServiceDefinition<C>,
): Promise<RunningService> {
  try {
    const running = await launchService(def);
    stopOnSignals(running.service, running.close, running.graceMs, running.logger);
    return running;
  } catch {
    // launchService logged why; let the log line flush before exiting.
    await new Promise((resolve) => setImmediate(resolve));
    process.exit(1);
  }
}

/**
 * Starts one service without taking the process over (no signal handlers, no exit), so that several
 * can share one (a cell): tracing, JSON logs, metrics, the config as a global provider, the NATS
 * client (NatsBus, JetStream), Nest's NATS server in the service's queue group, and the HTTP listener
 * with /health, /readiness and /metrics. Everything runs as the service (runAsService), so the spans of
 * its work are its own. On failure it logs one fatal line, closes what it had started and throws a
 * ServiceStartError.
 */
export async function launchService<C extends BaseEnv>(
  def: ServiceDefinition<C>,
): Promise<RunningService> {
  return runAsService(def.service, () => (def.launch ? def.launch() : startWithNats(def)));
}

async function startWithNats<C extends BaseEnv>(
  def: ServiceDefinition<C>,
): Promise<RunningService> {
  const { config, service } = def;
  const ctx = bootContext(service, config);
  const { identity, logger, metrics } = ctx;
  const messaging: MessagingOptions = {
    service,
    instance: identity.instance,
    // the service's own NATS identity and TLS settings, for every connection it opens
    nats: natsConnectionSettings(config),
    // stream replicas and limits: only what JETSTREAM_* set is enforced on existing streams
    jetstream: jetStreamSettings(config),
    connectionWaitMs: config.NATS_CONNECTION_WAIT_MS,
    commandHeartbeatMs: config.NATS_COMMAND_HEARTBEAT_MS,
  };

  @Module({
    imports: [
      appConfigModule(config),
      ServiceShutdownModule,
      ObservabilityModule.forRoot({ identity, logger, metrics }),
      MessagingModule.forRoot(messaging),
      def.module(ctx),
    ],
    controllers: [createHealthHandler(service)],
  })
  class RootModule {}

  let app: NestFastifyApplication | undefined;
  try {
    const adapter = createHttpAdapter(def, ctx);
    app = await NestFactory.create<NestFastifyApplication>(RootModule, adapter, {
      logger: new PinoNestLogger(logger),
      abortOnError: false,
      bodyParser: false,
    });
    const natsServer = natsServerOptions(messaging);
    const commands = natsServer.strategy as CommandServer;
    // this service's handled commands, counted and logged as its own
    commands.observe(commandObserver(metrics, logger));
    app.connectMicroservice(natsServer, { inheritAppConfig: true });
    await def.configure?.(app, ctx);
    // Lifecycle hooks first (tool sources, consumers, connections): a command handler must never
    // answer before what it serves is loaded (a manifest built before the tools are would be empty).
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
    const url = await app.getUrl();
    const started = app;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await drainService(started, commands, { graceMs: config.SHUTDOWN_GRACE_MS, logger });
        // Nest's shutdown: module hooks (Redis, PostgreSQL, …), the NATS server, then the client.
        await started.close();
        await shutdownTracing(service);
      })());
    logger.info({ url, nats: config.NATS_SERVERS, version: identity.version }, `${service} ready`);
    return { service, app, url, logger, graceMs: config.SHUTDOWN_GRACE_MS, close };
  } catch (e) {
    logger.fatal({ err: e }, `${service} failed to start: ${(e as Error).message}`);
    // In a cell the others keep running while this one is given up: nothing of it may stay open.
    if (app)
      await untilDeadline(Date.now() + Math.min(config.SHUTDOWN_GRACE_MS, 5_000), app.close());
    await shutdownTracing(service);
    throw new ServiceStartError(service, e);
  }
}

/**
 * The HTTP listener every service has: JSON bodies only, the edge settings of `def.http`, a span,
 * metrics and an access line per request, and the rest of a refused body read before the answer goes
 * out.
 */
function createHttpAdapter(
  def: Pick<ServiceDefinition<BaseEnv>, 'bodyLimit' | 'http'>,
  ctx: Pick<BootContext<unknown>, 'logger' | 'metrics'>,
): FastifyAdapter {
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
  // An answer given before the body was read (413, 415) reaches a client still uploading only if
  // the rest of the body is read first; otherwise closing the connection resets it.
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400) await discardUnreadBody(request.raw);
    return payload;
  });
  instrumentHttp(fastify, {
    metrics: ctx.metrics,
    logger: ctx.logger,
    ...(def.http?.describeRequest ? { describeRequest: def.http.describeRequest } : {}),
  });
  return adapter;
}

/**
 * SIGTERM or SIGINT stops the service gracefully (close) and exits 0 once it is done (1 if closing
 * failed). A second SIGINT while it drains exits at once; a repeated SIGTERM is ignored.
 */
function stopOnSignals(
  service: ServiceName,
  close: () => Promise<void>,
  graceMs: number,
  logger: Logger,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (signal !== 'SIGINT') return;
      logger.warn({ signal }, `${service} stopping at once (second signal)`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs }, `${service} stopping: finishing the work in flight`);
    close().then(
      () => {
        logger.info(`${service} stopped`);
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, `${service} did not stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
