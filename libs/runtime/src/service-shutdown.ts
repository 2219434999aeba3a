import { Global, Injectable, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type CommandServer, JetStreamService, untilDeadline } from '@switchboard/messaging';
import { type Logger, ReadinessRegistry } from '@switchboard/observability';

/** Something to finish or end when the service starts stopping; `deadline` is epoch ms. */
export type DrainStep = (deadline: number) => Promise<unknown> | unknown;

/**
 * Where a service's modules register what must end before anything they use is closed — e.g. the
 * gateway ends its open event streams so clients resume elsewhere with Last-Event-ID. The runtime runs
 * the steps when the process is told to stop (see drainService).
 */
@Injectable()
export class ServiceShutdown {
  private readonly steps = new Map<string, DrainStep>();

  /** Registers a step (a later one under the same name replaces it). */
  whenDraining(name: string, step: DrainStep): void {
    this.steps.set(name, step);
  }

  /** Runs every step at once; a step that fails is logged, never blocks the others. */
  async run(deadline: number, logger: Logger): Promise<void> {
    await Promise.all(
      [...this.steps].map(async ([name, step]) => {
        try {
          await step(deadline);
        } catch (e) {
          logger.warn({ err: e, step: name }, 'a shutdown step failed');
        }
      }),
    );
  }
}

/** Makes ServiceShutdown injectable everywhere in a service. */
@Global()
@Module({ providers: [ServiceShutdown], exports: [ServiceShutdown] })
export class ServiceShutdownModule {}

/**
 * The first half of stopping a service, before Nest's own shutdown (whose module hooks close Redis and
 * PostgreSQL, and then NATS): readiness goes down, then — all at once, bounded by `graceMs` — NATS
 * requests stop being taken and those being handled finish, durable consumers stop and their messages
 * in flight finish, the registered steps run, and the HTTP listener stops taking connections and lets
 * requests in flight finish. What is still running at the deadline is cut off: HTTP connections are
 * closed, and unacknowledged durable messages are redelivered to another replica.
 */
export async function drainService(
  app: NestFastifyApplication,
  commands: CommandServer,
  opts: { graceMs: number; logger: Logger },
): Promise<void> {
  const { graceMs, logger } = opts;
  const started = Date.now();
  const deadline = started + graceMs;
  app.get(ReadinessRegistry).register('shutdown', async () => {
    throw new Error('the service is shutting down');
  });
  const http = app.getHttpServer();
  const [pending] = await Promise.all([
    commands.drain(deadline),
    untilDeadline(deadline, app.get(JetStreamService).stopConsumers()),
    untilDeadline(deadline, app.get(ServiceShutdown).run(deadline, logger)),
    untilDeadline(deadline, app.getHttpAdapter().close()),
  ]);
  // Whatever still holds a connection past the grace (a long wait, a stream) is cut off.
  http.closeAllConnections();
  const tookMs = Date.now() - started;
  if (pending > 0 || tookMs >= graceMs) {
    logger.warn(
      { graceMs, tookMs, pendingRequests: pending },
      'shutdown grace over; closing with work still in flight',
    );
  } else {
    logger.info({ tookMs }, 'drained: no work in flight');
  }
}
