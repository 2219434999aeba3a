// The messaging library against a real nats-server. It lives here (not in libs/messaging) because it
// uses this library's helpers, which themselves depend on messaging.
import 'reflect-metadata';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type Actor,
  DeadLetterStream,
  defineCommand,
  defineEvent,
  defineStream,
  DomainError,
} from '@switchboard/contracts';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import {
  createLogger,
  currentTraceId,
  initTracing,
  Metrics,
  ObservabilityModule,
  SpanKind,
  withSpan,
} from '@switchboard/observability';
import {
  type BusClient,
  createBusClient,
  type PrivateNats,
  startPrivateNats,
  waitFor,
} from '../src/index.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  encodeJson,
  HandleCommand,
  type MessageMeta,
  MessagingModule,
  natsServerOptions,
} from '@switchboard/messaging';

const Echo = defineCommand({
  subject: 'sb.cmd.test.echo',
  service: 'orchestrator',
  callers: ['gateway'],
  request: z
    .object({
      text: z.string().min(1),
      mode: z.enum(['ok', 'missing', 'crash', 'bad-reply', 'slow']).default('ok'),
    })
    .strict(),
  response: z.object({
    text: z.string(),
    by: z.string(),
    user: z.string().optional(),
    correlationId: z.string(),
    traceId: z.string().optional(),
  }),
  timeoutMs: 2_000,
  description: 'test',
});

let release: (() => void) | undefined;
const handled: string[] = [];

@Controller()
class EchoHandler {
  @HandleCommand(Echo)
  async echo(input: z.infer<typeof Echo.request>, meta: MessageMeta): Promise<unknown> {
    handled.push(input.text);
    if (input.mode === 'missing') throw new DomainError('NOT_FOUND', `no ${input.text}`);
    if (input.mode === 'crash') throw new Error('database password is hunter2');
    if (input.mode === 'bad-reply') return { nope: true };
    if (input.mode === 'slow') await new Promise<void>((resolve) => (release = resolve));
    return {
      text: input.text,
      by: process.pid.toString(),
      user: meta.actor?.userId,
      correlationId: meta.correlationId,
      traceId: currentTraceId(),
    };
  }
}

async function startServer(natsUrl: string): Promise<INestMicroservice> {
  const identity = {
    service: 'orchestrator' as const,
    instance: randomUUID(),
    version: 't',
    startedAt: Date.now(),
  };
  const logger = createLogger({
    service: 'orchestrator',
    instance: identity.instance,
    level: 'silent',
    pretty: false,
  });
  const messaging = {
    service: 'orchestrator' as const,
    instance: identity.instance,
    nats: { servers: [natsUrl] },
  };
  @Module({
    imports: [
      ObservabilityModule.forRoot({
        identity,
        logger,
        metrics: new Metrics('orchestrator', identity.instance),
      }),
      MessagingModule.forRoot(messaging),
    ],
    controllers: [EchoHandler],
  })
  class ServerModule {}
  const app = await NestFactory.createMicroservice(ServerModule, {
    ...natsServerOptions(messaging),
    logger: false,
  });
  await app.listen();
  return app;
}

/** Every span the process recorded (client, servers and consumers share one tracer here). */
const exported = new InMemorySpanExporter();
const spansNamed = (name: string): ReadableSpan[] =>
  exported.getFinishedSpans().filter((s) => s.name === name);

describe('messaging over real NATS (Nest transport + NatsBus + JetStream)', () => {
  let nats: PrivateNats;
  let servers: INestMicroservice[] = [];
  let client: BusClient;
  const alice: Actor = { userId: 'alice', role: 'user' };

  beforeAll(async () => {
    initTracing({
      service: 'messaging-test',
      processors: [new SimpleSpanProcessor({ exporter: exported })],
    });
    nats = await startPrivateNats();
    servers = [await startServer(nats.url), await startServer(nats.url)];
    // Replay pulls of 1 s (the least nats.js takes) rather than 5 s: the server beats every 500 ms, so
    // a replay consumer the server dropped is noticed and recreated within about a second, not 15.
    client = await createBusClient(
      nats.url,
      'gateway',
      { servers: [nats.url] },
      { replayPullExpiresMs: 1_000 },
    );
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(servers.map((s) => s.close()));
    await nats?.stop();
  });

  const failure = async (p: Promise<unknown>): Promise<DomainError> => {
    try {
      await p;
    } catch (e) {
      return e as DomainError;
    }
    throw new Error('expected a failure');
  };

  it('round-trips a typed request with the acting user, correlation id and trace context in headers', async () => {
    const rootId = await withSpan('test root', {}, async (root) => {
      const traceId = currentTraceId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const reply = await client.bus.request(
        Echo,
        { text: 'hi' },
        { actor: alice, correlationId: 'corr-1' },
      );
      expect(reply).toMatchObject({ text: 'hi', user: 'alice', correlationId: 'corr-1', traceId });
      return root.spanContext().spanId;
    });
    // The request is a client span of the caller's, the handling a server span of the request.
    const [sent] = spansNamed(`nats request ${Echo.subject}`);
    const handling = await waitFor(() => spansNamed(`nats handle ${Echo.subject}`)[0], {
      what: 'the handler span',
    });
    expect(sent).toMatchObject({
      kind: SpanKind.CLIENT,
      attributes: { 'messaging.system': 'nats', 'messaging.destination.name': Echo.subject },
    });
    expect(sent?.parentSpanContext?.spanId).toBe(rootId);
    expect(handling.kind).toBe(SpanKind.SERVER);
    expect(handling.parentSpanContext?.spanId).toBe(sent?.spanContext().spanId);
    expect(handling.spanContext().traceId).toBe(sent?.spanContext().traceId);
  });

  it('validates before sending, naming the field, and never sends an invalid request', async () => {
    const before = handled.length;
    const e = await failure(client.bus.request(Echo, { text: '' } as never, { actor: alice }));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toContain('text');
    expect(handled.length).toBe(before);
  });

  it('validates on receipt: a foreign publisher gets a typed VALIDATION error naming the field', async () => {
    const msg = await client.bus.connection.request(
      Echo.subject,
      encodeJson({ pattern: Echo.subject, data: { text: 5, extra: 1 }, id: randomUUID() }),
      { timeout: 2_000 },
    );
    const packet = msg.json<{ err: { code: string; message: string } }>();
    expect(packet.err.code).toBe('VALIDATION');
    expect(packet.err.message).toMatch(/text/);
    expect(packet.err.message).toMatch(/extra/);
  });

  it('carries remote domain errors with their code, and hides unexpected ones behind an errorId', async () => {
    const missing = await failure(
      client.bus.request(Echo, { text: 'x', mode: 'missing' }, { actor: alice }),
    );
    expect(missing).toMatchObject({ name: 'RemoteError', code: 'NOT_FOUND', message: 'no x' });
    const crash = await failure(
      client.bus.request(Echo, { text: 'x', mode: 'crash' }, { actor: alice }),
    );
    expect(crash.code).toBe('INTERNAL');
    expect(crash.message).toMatch(/errorId/);
    expect(crash.message).not.toContain('hunter2');
    const badReply = await failure(
      client.bus.request(Echo, { text: 'x', mode: 'bad-reply' }, { actor: alice }),
    );
    expect(badReply.code).toBe('INTERNAL');
  });

  it('times out with TIMEOUT, and reports no responders as UPSTREAM_UNAVAILABLE', async () => {
    const slow = await failure(
      client.bus.request(Echo, { text: 'x', mode: 'slow' }, { actor: alice, timeoutMs: 200 }),
    );
    expect(slow.code).toBe('TIMEOUT');
    release?.();
    const nobody = await failure(
      client.bus.request(
        { ...Echo, subject: 'sb.cmd.test.nobody' as 'sb.cmd.test.echo' },
        { text: 'x' },
        { actor: alice },
      ),
    );
    expect(nobody.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('shares requests between replicas in one queue group (each handled once)', async () => {
    const before = handled.length;
    const texts = Array.from({ length: 40 }, (_, i) => `q${i}`);
    const replies = await Promise.all(
      texts.map((text) => client.bus.request(Echo, { text }, { actor: alice })),
    );
    expect(handled.length - before).toBe(40);
    expect(new Set(replies.map((r) => r.by)).size).toBe(1); // both replicas live in this process
  });

  describe('JetStream', () => {
    const stream = defineStream({
      name: `SB_TEST_${process.pid}`,
      subjects: ['sb.test.js.>'],
      retention: 'limits',
      maxAgeMs: 60_000,
      discard: 'old',
      duplicateWindowMs: 60_000,
      description: 't',
    });
    const Job = defineEvent({
      template: 'sb.test.js.{kind}',
      tokens: ['kind'],
      payload: z.object({ id: z.string(), fail: z.number().int().default(0) }),
      delivery: 'at-least-once',
      stream,
      producers: ['gateway'],
      consumers: ['orchestrator'],
      description: 't',
    });

    beforeAll(async () => {
      await client.jetstream.ensureStreams([stream, DeadLetterStream]);
      await client.jetstream.ensureStreams([stream]); // idempotent
    });

    it('de-duplicates publishes by message id', async () => {
      const a = await client.jetstream.publish(Job, ['a'], { id: 'dup' }, { msgId: 'dup-1' });
      const b = await client.jetstream.publish(Job, ['a'], { id: 'dup' }, { msgId: 'dup-1' });
      expect(a.duplicate).toBe(false);
      expect(b).toEqual({ seq: a.seq, duplicate: true });
    });

    it('acks after success, redelivers after a retryable failure, dead-letters invalid payloads', async () => {
      const attempts = new Map<string, number>();
      const done = new Set<string>();
      const consumer = await client.jetstream.consumeDurable({
        contract: Job,
        durable: 'test-worker',
        filterSubject: 'sb.test.js.work',
        concurrency: 4,
        ackWaitMs: 5_000,
        maxDeliver: 5,
        retryDelaysMs: [50],
        handle: async ({ payload, delivery }) => {
          attempts.set(payload.id, delivery.deliveryCount);
          if (delivery.deliveryCount <= payload.fail)
            throw new DomainError('UPSTREAM_UNAVAILABLE', 'try again', { retryable: true });
          done.add(payload.id);
        },
      });
      await client.jetstream.publish(Job, ['work'], { id: 'ok' }, { msgId: randomUUID() });
      await client.jetstream.publish(
        Job,
        ['work'],
        { id: 'flaky', fail: 2 },
        { msgId: randomUUID() },
      );
      client.bus.connection.publish(
        'sb.test.js.work',
        encodeJson({ pattern: 'sb.test.js.work', data: { id: 42 } }),
      );
      await waitFor(() => done.has('ok') && done.has('flaky'), { what: 'jobs done' });
      expect(attempts.get('ok')).toBe(1);
      expect(attempts.get('flaky')).toBe(3);
      const parked = await waitFor(
        () => client.jetstream.lastMessage(DeadLetterStream, `sb.dlq.${stream.name}`),
        { what: 'dead letter' },
      );
      expect(parked.data).toMatchObject({
        consumer: 'test-worker',
        subject: 'sb.test.js.work',
        reason: expect.stringContaining('id'),
      });
      await consumer.stop();
    });

    it('parks a message every durable rejects once per durable: two readers, two dead letters', async () => {
      const readers = await Promise.all(
        ['test-reader-a', 'test-reader-b'].map((durable) =>
          client.jetstream.consumeDurable({
            contract: Job,
            durable,
            filterSubject: 'sb.test.js.shared',
            concurrency: 1,
            ackWaitMs: 5_000,
            maxDeliver: 3,
            retryDelaysMs: [50],
            handle: async () => undefined,
          }),
        ),
      );
      const body = JSON.stringify({
        pattern: 'sb.test.js.shared',
        data: { id: randomUUID(), fail: 'x' },
      });
      client.bus.connection.publish('sb.test.js.shared', new TextEncoder().encode(body));
      const jsm = await jetstreamManager(client.bus.connection);
      const lettersFor = async (): Promise<string[]> => {
        const info = await jsm.streams.info(DeadLetterStream.name);
        const out: string[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
          const m = await jsm.streams.getMessage(DeadLetterStream.name, { seq }).catch(() => null);
          type Letter = { consumer: string; payload: string };
          const v = m?.json<{ data?: Letter } & Partial<Letter>>();
          const letter = v?.data ?? v;
          if (letter?.payload === body) out.push(letter.consumer ?? '');
        }
        return out.sort();
      };
      const letters = await waitFor(
        async () => {
          const l = await lettersFor();
          return l.length >= 2 ? l : undefined;
        },
        { what: 'a dead letter from each durable' },
      );
      expect(letters).toEqual(['test-reader-a', 'test-reader-b']);
      await Promise.all(readers.map((r) => r.stop()));
    });

    it("processes each durable message in a span of its sender's trace, and reports the consumer's backlog", async () => {
      const seen = new Set<string>();
      const publisher = await withSpan('publisher', {}, async (span) => {
        await client.jetstream.publish(Job, ['traced'], { id: 't1' }, { msgId: randomUUID() });
        await client.jetstream.publish(Job, ['tracedb'], { id: 't2' }, { msgId: randomUUID() });
        return span.spanContext();
      });
      const single = await client.jetstream.consumeDurable({
        contract: Job,
        durable: 'test-traced',
        filterSubject: 'sb.test.js.traced',
        concurrency: 1,
        ackWaitMs: 5_000,
        maxDeliver: 2,
        retryDelaysMs: [50],
        handle: async ({ payload }) => void seen.add(payload.id),
      });
      const batched = await client.jetstream.consumeDurableBatch({
        contract: Job,
        durable: 'test-traced-batch',
        filterSubject: 'sb.test.js.tracedb',
        maxBatch: 5,
        ackWaitMs: 5_000,
        maxDeliver: 2,
        retryDelaysMs: [50],
        handleBatch: async (items) => items.forEach((i) => seen.add(i.payload.id)),
      });
      await waitFor(() => seen.has('t1') && seen.has('t2'), { what: 'both messages handled' });
      const name = `jetstream process ${Job.template}`;
      const processed = await waitFor(
        () => {
          const found = spansNamed(name).filter(
            (s) => s.spanContext().traceId === publisher.traceId,
          );
          return found.length === 2 ? found : undefined;
        },
        { what: 'a process span per message' },
      );
      for (const s of processed) {
        expect(s.kind).toBe(SpanKind.CONSUMER);
        expect(s.parentSpanContext?.spanId).toBe(publisher.spanId);
      }
      expect(processed.map((s) => s.attributes['messaging.consumer.group.name']).sort()).toEqual([
        'test-traced',
        'test-traced-batch',
      ]);
      // The batch's own span stands alone, linked to the message it took.
      const [batch] = spansNamed(`${name} batch`);
      expect(batch?.links.map((l) => l.context.traceId)).toEqual([publisher.traceId]);

      // Two more for the single consumer, which is stopped: its backlog is 2, nothing in hand.
      await single.stop();
      for (const id of ['t3', 't4'])
        await client.jetstream.publish(Job, ['traced'], { id }, { msgId: randomUUID() });
      const text = await client.metrics.text();
      const backlog = new RegExp(
        `sb_jetstream_consumer_pending\\{[^}]*stream="${stream.name}",consumer="test-traced"[^}]*\\} 2\\b`,
      );
      expect(text).toMatch(backlog);
      expect(text).toMatch(
        /sb_jetstream_consumer_ack_pending\{[^}]*consumer="test-traced"[^}]*\} 0\b/,
      );
      expect(text).toMatch(
        /sb_jetstream_consumer_redelivered\{[^}]*consumer="test-traced-batch"[^}]*\} 0\b/,
      );
      await batched.stop();
    });

    it('lingers for a fuller batch and hands it over as soon as it is full', async () => {
      const batches: string[][] = [];
      const consumer = await client.jetstream.consumeDurableBatch({
        contract: Job,
        durable: 'test-batcher',
        filterSubject: 'sb.test.js.batch',
        maxBatch: 3,
        // Far longer than the test may take: only a full batch can end the wait.
        lingerMs: 60_000,
        ackWaitMs: 120_000,
        maxDeliver: 5,
        retryDelaysMs: [50],
        handleBatch: async (items) => {
          batches.push(items.map((i) => i.payload.id));
        },
      });
      // One at a time, each stored before the next is sent: without the linger the first would go alone.
      for (const id of ['b1', 'b2', 'b3'])
        await client.jetstream.publish(Job, ['batch'], { id }, { msgId: randomUUID() });
      await waitFor(() => batches.length > 0, { what: 'the batch' });
      expect(batches).toEqual([['b1', 'b2', 'b3']]);
      await consumer.stop();
    });

    it('replays a subject from the start and then follows', async () => {
      for (const id of ['r1', 'r2'])
        await client.jetstream.publish(Job, ['replay'], { id }, { msgId: `replay-${id}` });
      const { messages, stop } = await client.jetstream.replay(stream, 'sb.test.js.replay', {
        follow: true,
      });
      const seen: string[] = [];
      const reading = (async () => {
        for await (const m of messages) {
          seen.push((m.data as { id: string }).id);
          if (seen.length === 3) break;
        }
      })();
      await waitFor(() => seen.length === 2, { what: 'history' });
      await client.jetstream.publish(Job, ['replay'], { id: 'r3' }, { msgId: 'replay-r3' });
      await reading;
      await stop();
      expect(seen).toEqual(['r1', 'r2', 'r3']);
    });

    it('keeps following when the server drops the replay consumer: nothing is missed or repeated', async () => {
      await client.jetstream.publish(Job, ['lost'], { id: 'l1' }, { msgId: 'lost-l1' });
      const { messages, stop } = await client.jetstream.replay(stream, 'sb.test.js.lost', {
        follow: true,
      });
      const seen: string[] = [];
      const reading = (async () => {
        for await (const m of messages) {
          seen.push((m.data as { id: string }).id);
          if (seen.length === 3) break;
        }
      })();
      await waitFor(() => seen.length === 1, { what: 'history' });
      // What the server does to an ephemeral consumer it deems inactive: delete it under the reader.
      const admin = await connect({ servers: nats.url });
      const dropped: string[] = [];
      try {
        const jsm = await jetstreamManager(admin);
        for await (const c of jsm.consumers.list(stream.name))
          if (c.config.filter_subject === 'sb.test.js.lost') {
            await jsm.consumers.delete(stream.name, c.name);
            dropped.push(c.name);
          }
      } finally {
        await admin.close();
      }
      expect(dropped).toHaveLength(1);
      for (const id of ['l2', 'l3'])
        await client.jetstream.publish(Job, ['lost'], { id }, { msgId: `lost-${id}` });
      await reading;
      await stop();
      expect(seen).toEqual(['l1', 'l2', 'l3']);
    }, 40_000);
  });
});
