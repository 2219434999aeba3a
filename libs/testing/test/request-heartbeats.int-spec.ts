// Heartbeats of long commands (`liveness: 'heartbeat'`) over a real nats-server: the real CommandServer
// beats while its handler works, so a request outlives three intervals; a responder that takes the
// request and goes silent (a killed process) is noticed within a few intervals, and a keyed request is
// sent again; a header that names no inbox, or no interval it may have, is refused. The caller asks
// for beats every BEAT_MS, a quarter of the default COMMAND_HEARTBEAT_MS (its commandHeartbeatMs, a
// service's NATS_COMMAND_HEARTBEAT_MS), and the responder follows the request's
// x-sb-heartbeat-interval: the same beats and the same silence verdict, in a quarter of the time.
import 'reflect-metadata';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type Actor,
  defineCommand,
  type DomainError,
  Headers as H,
  STREAM_HEARTBEAT_MISSES,
} from '@switchboard/contracts';
import {
  decodeJson,
  encodeJson,
  HandleCommand,
  MessagingModule,
  natsServerOptions,
} from '@switchboard/messaging';
import { createLogger, Metrics, ObservabilityModule } from '@switchboard/observability';
import { connect, headers as natsHeaders, type Msg } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type BusClient,
  createBusClient,
  type PrivateNats,
  startPrivateNats,
} from '../src/index.js';

const Work = defineCommand({
  subject: 'sb.cmd.test.work',
  service: 'mcp-tools',
  callers: ['orchestrator'],
  request: z.object({ ms: z.number().int(), idempotencyKey: z.string().optional() }).strict(),
  response: z.object({ done: z.number(), delivery: z.number().optional() }),
  timeoutMs: 60_000,
  idempotency: 'keyed',
  liveness: 'heartbeat',
  description: 'test',
});
const Lost = defineCommand({ ...Work, subject: 'sb.cmd.test.lost' });

/**
 * The heartbeat interval of this test's responder and caller: short, yet with room for a busy
 * machine's event loop (a beat late by more than two intervals would fail the first test).
 */
const BEAT_MS = 500;
const silenceMs = BEAT_MS * STREAM_HEARTBEAT_MISSES;
const actor: Actor = { userId: 'beats-user', role: 'user' };

@Controller()
class WorkHandler {
  @HandleCommand(Work)
  async work(input: { ms: number }): Promise<{ done: number }> {
    await new Promise((resolve) => setTimeout(resolve, input.ms));
    return { done: input.ms };
  }
}

async function startServer(natsUrl: string): Promise<INestMicroservice> {
  const identity = { service: 'mcp-tools' as const, instance: 't', version: 't', startedAt: 0 };
  // No interval of its own: it beats as each request asks.
  const messaging = { service: 'mcp-tools' as const, instance: 't', nats: { servers: [natsUrl] } };
  @Module({
    imports: [
      ObservabilityModule.forRoot({
        identity,
        logger: createLogger({
          service: 'mcp-tools',
          instance: 't',
          level: 'silent',
          pretty: false,
        }),
        metrics: new Metrics('mcp-tools', 't'),
      }),
      MessagingModule.forRoot(messaging),
    ],
    controllers: [WorkHandler],
  })
  class ServerModule {}
  const app = await NestFactory.createMicroservice(ServerModule, {
    ...natsServerOptions(messaging),
    logger: false,
  });
  await app.listen();
  return app;
}

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

describe('heartbeats of long commands over a real nats-server', () => {
  let nats: PrivateNats;
  let server: INestMicroservice;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    server = await startServer(nats.url);
    client = await createBusClient(
      nats.url,
      'orchestrator',
      { servers: [nats.url] },
      { commandHeartbeatMs: BEAT_MS },
    );
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await nats?.stop();
  });

  it('keeps a request alive while its handler works past three heartbeat intervals', async () => {
    const ms = silenceMs + BEAT_MS;
    await expect(client.bus.request(Work, { ms }, { actor })).resolves.toEqual({ done: ms });
  }, 30_000);

  it('fails a request whose responder took it and went silent within a few intervals, not at its timeout', async () => {
    // A responder that takes every request and never beats nor answers: a process killed mid-request.
    const nc = await connect({ servers: nats.url });
    let taken = 0;
    nc.subscribe(Lost.subject, { callback: () => void taken++ });
    await nc.flush();
    try {
      const started = Date.now();
      const e = await failure(client.bus.request(Lost, { ms: 1 }, { actor }));
      expect(e).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        retryable: true,
        details: { reason: 'responder-silent' },
      });
      expect(taken).toBe(1);
      // Noticed after the missed beats, not after the command's 60 s (a wide bound).
      expect(Date.now() - started).toBeLessThan(Lost.timeoutMs / 2);
    } finally {
      await nc.close();
    }
  }, 60_000);

  it('sends a keyed request again once its responder fell silent, and takes the answer of the repeat', async () => {
    const nc = await connect({ servers: nats.url });
    let delivery = 0;
    // The first delivery dies with its "process"; the repeat (same key) is answered.
    nc.subscribe(Lost.subject, {
      callback: (_err, msg: Msg) => {
        if (++delivery === 1) return;
        const { id } = decodeJson(msg.data) as { id: string };
        msg.respond(encodeJson({ id, response: { done: 1, delivery }, isDisposed: true }));
      },
    });
    await nc.flush();
    try {
      const reply = await client.bus.request(
        Lost,
        { ms: 1, idempotencyKey: 'k-1' },
        { actor, deadline: Date.now() + 40_000, maxOutageMs: 30_000 },
      );
      expect(reply).toEqual({ done: 1, delivery: 2 });
    } finally {
      await nc.close();
    }
  }, 60_000);

  it('refuses a request asking for heartbeats at an interval outside 100–60000 ms (VALIDATION, naming the header)', async () => {
    for (const interval of ['50', '60001', '1.5', 'soon']) {
      const h = natsHeaders();
      h.set(H.heartbeat, `_INBOX.orchestrator.hb.${randomUUID().slice(0, 8)}.0`);
      h.set(H.heartbeatInterval, interval);
      const msg = await client.bus.connection.request(
        Work.subject,
        encodeJson({ pattern: Work.subject, data: { ms: 1 }, id: randomUUID() }),
        { timeout: 5_000, headers: h },
      );
      const reply = decodeJson(msg.data) as { err?: { code: string; message: string } };
      expect({ interval, err: reply.err }).toMatchObject({
        interval,
        err: { code: 'VALIDATION', message: expect.stringContaining(H.heartbeatInterval) },
      });
    }
  });

  it('refuses a request whose heartbeat header names no inbox (VALIDATION, naming the header)', async () => {
    const h = natsHeaders();
    h.set(H.heartbeat, 'sb.cmd.audit.query');
    const msg = await client.bus.connection.request(
      Work.subject,
      encodeJson({ pattern: Work.subject, data: { ms: 1 }, id: randomUUID() }),
      { timeout: 5_000, headers: h },
    );
    const reply = decodeJson(msg.data) as { err?: { code: string; message: string } };
    expect(reply.err).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining(H.heartbeat),
    });
  });
});
