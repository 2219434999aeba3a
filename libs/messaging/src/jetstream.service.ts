import { Inject, Injectable } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DeadLettered,
  DomainError,
  type EventContract,
  isDomainError,
  type StreamContract,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import {
  LOGGER,
  type Logger,
  Metrics,
  requestContext,
  withExtractedContext,
} from '@switchboard/observability';
import type { z } from 'zod';
import { BatchQueue } from './batch-queue.js';
import { decodeJson, encodeJson, unwrapEnvelope } from './codec.js';
import { buildHeaders, type MessageMeta, type OutgoingOptions, readMeta } from './message-meta.js';
import { MESSAGING_OPTIONS, type MessagingOptions, NATS_CONNECTION } from './messaging.options.js';

export interface Delivery {
  /** 1 on first delivery. */
  deliveryCount: number;
  streamSeq: number;
  /** Tells the server the message is still being worked on (extends the ack deadline). */
  working(): void;
}

export interface DurableItem<P> {
  payload: P;
  meta: MessageMeta;
  delivery: Delivery;
}

interface DurableBase<E extends EventContract> {
  contract: E;
  durable: string;
  /** Defaults to the contract's wildcard pattern. */
  filterSubject?: string;
  ackWaitMs: number;
  maxDeliver: number;
  /** Redelivery delays after a retryable failure, by attempt (the last one repeats). */
  retryDelaysMs: number[];
}

export interface DurableOptions<E extends EventContract> extends DurableBase<E> {
  /** Messages handled at once (and the consumer's max_ack_pending). */
  concurrency: number;
  handle: (item: DurableItem<z.infer<E['payload']>>) => Promise<void>;
}

export interface DurableBatchOptions<E extends EventContract> extends DurableBase<E> {
  /** Most messages handed to one `handleBatch` call; batches form naturally under load. */
  maxBatch: number;
  /**
   * After the first message of a batch arrives, wait up to this long for more (unless maxBatch is
   * reached first). Trades a little delay for fewer, larger batches when traffic trickles in.
   */
  lingerMs?: number;
  handleBatch: (items: DurableItem<z.infer<E['payload']>>[]) => Promise<void>;
}

export interface ConsumerHandle {
  stop(): Promise<void>;
}

export interface ReplayedMessage {
  subject: string;
  streamSeq: number;
  pending: number;
  data: unknown;
}

/**
 * JetStream for the durable flows: idempotent stream set-up, de-duplicated publishes, durable consumers
 * that ack only after the handler succeeded (nak with delay on retryable failure, dead-letter on
 * invalid payloads or after the last attempt), and ephemeral replays for resumable streams.
 */
@Injectable()
export class JetStreamService {
  private readonly js: JetStreamClient;
  private jsmPromise: Promise<JetStreamManager> | undefined;
  private readonly consumers = new Set<ConsumerHandle>();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.js = jetstream(nc);
  }

  private manager(): Promise<JetStreamManager> {
    this.jsmPromise ??= jetstreamManager(this.nc);
    return this.jsmPromise;
  }

  /** Creates or updates the streams (safe to run from every replica at boot). */
  async ensureStreams(streams: readonly StreamContract[]): Promise<void> {
    const jsm = await this.manager();
    for (const s of streams) {
      const config = {
        name: s.name,
        subjects: [...s.subjects],
        retention: s.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: nanos(s.maxAgeMs),
        duplicate_window: nanos(s.duplicateWindowMs),
        num_replicas: 1,
      };
      try {
        await jsm.streams.info(s.name);
        await jsm.streams.update(s.name, config);
      } catch (e) {
        if (!/not found/i.test((e as Error).message)) throw e;
        try {
          await jsm.streams.add(config);
        } catch (addError) {
          // Another replica created it between our info and add.
          if (!/already in use/i.test((addError as Error).message)) throw addError;
        }
      }
    }
  }

  /** Validated, de-duplicated (by `msgId`) publish; resolves once the stream has stored it. */
  async publish<E extends EventContract>(
    contract: E,
    tokens: TokenValues<E['tokens']>,
    payload: z.input<E['payload']>,
    opts: OutgoingOptions & { msgId: string },
  ): Promise<{ seq: number; duplicate: boolean }> {
    const parsed = contract.payload.safeParse(payload);
    if (!parsed.success) throw validationError(`payload for ${contract.template}`, parsed.error);
    const subject = contract.subject(...tokens);
    try {
      const ack = await this.js.publish(
        subject,
        encodeJson({ pattern: subject, data: parsed.data }),
        {
          msgID: opts.msgId,
          headers: buildHeaders(this.options.service, opts),
        },
      );
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (e) {
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `could not store ${subject}: ${(e as Error).message}`,
        {
          retryable: true,
        },
      );
    }
  }

  private async ensureDurable(
    opts: DurableBase<EventContract>,
    maxAckPending: number,
  ): Promise<void> {
    const stream = requireStream(opts.contract);
    const jsm = await this.manager();
    const config = {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(opts.ackWaitMs),
      max_deliver: opts.maxDeliver,
      filter_subject: opts.filterSubject ?? opts.contract.pattern,
      max_ack_pending: maxAckPending,
    };
    try {
      await jsm.consumers.info(stream.name, opts.durable);
      await jsm.consumers.update(stream.name, opts.durable, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    } catch (e) {
      if (!/not found/i.test((e as Error).message)) throw e;
      await jsm.consumers.add(stream.name, config);
    }
  }

  /** Runs `handle` for each message, `concurrency` at a time; acks after success. */
  async consumeDurable<E extends EventContract>(opts: DurableOptions<E>): Promise<ConsumerHandle> {
    await this.ensureDurable(opts, opts.concurrency);
    const consumer = await this.js.consumers.get(requireStream(opts.contract).name, opts.durable);
    const messages = await consumer.consume({ max_messages: opts.concurrency });
    const inflight = new Set<Promise<void>>();
    const loop = (async () => {
      for await (const m of messages) {
        const item = await this.prepare(opts, m);
        if (!item) continue;
        const p = this.runOne(opts, m, () => opts.handle(item)).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= opts.concurrency) await Promise.race(inflight);
      }
    })();
    return this.track(async () => {
      await messages.close();
      await loop.catch(() => undefined);
      await Promise.allSettled(inflight);
    });
  }

  /** Like consumeDurable, but hands over whatever has arrived (up to maxBatch) in one call. */
  async consumeDurableBatch<E extends EventContract>(
    opts: DurableBatchOptions<E>,
  ): Promise<ConsumerHandle> {
    await this.ensureDurable(opts, opts.maxBatch * 2);
    const consumer = await this.js.consumers.get(requireStream(opts.contract).name, opts.durable);
    const messages = await consumer.consume({ max_messages: opts.maxBatch * 2 });
    const queue = new BatchQueue<{ m: JsMsg; item: DurableItem<z.infer<E['payload']>> }>(
      opts.maxBatch,
      opts.lingerMs,
    );
    const feeder = (async () => {
      for await (const m of messages) {
        const item = await this.prepare(opts, m);
        if (item) queue.push({ m, item });
      }
    })();
    const drainer = (async () => {
      while (!queue.isClosed) {
        const batch = await queue.next();
        if (batch.length) await this.runBatch(opts, batch);
      }
    })();
    return this.track(async () => {
      queue.close();
      await messages.close();
      await feeder.catch(() => undefined);
      await drainer.catch(() => undefined);
    });
  }

  /**
   * Reads the messages of `stream` matching `filterSubject` from the start (or from `startSeq`), then,
   * with `follow`, keeps delivering new ones until `stop()`. Uses an ephemeral consumer.
   */
  async replay(
    stream: StreamContract,
    filterSubject: string,
    opts: { follow: boolean; startSeq?: number },
  ): Promise<{ messages: AsyncIterable<ReplayedMessage>; stop(): Promise<void> }> {
    const jsm = await this.manager();
    const info = await jsm.consumers.add(stream.name, {
      ack_policy: AckPolicy.None,
      deliver_policy: opts.startSeq ? DeliverPolicy.StartSequence : DeliverPolicy.All,
      ...(opts.startSeq ? { opt_start_seq: opts.startSeq } : {}),
      filter_subject: filterSubject,
      inactive_threshold: nanos(30_000),
      mem_storage: true,
    });
    const consumer = await this.js.consumers.get(stream.name, info.name);
    const iter = await consumer.consume({ max_messages: 256 });
    const stop = async (): Promise<void> => {
      await iter.close();
      await jsm.consumers.delete(stream.name, info.name).catch(() => undefined);
    };
    // Nothing stored yet and not following: finish at once.
    if (!opts.follow && info.num_pending === 0) {
      await stop();
      return { messages: emptyReplay(), stop };
    }
    const follow = opts.follow;
    async function* read(): AsyncGenerator<ReplayedMessage> {
      for await (const m of iter) {
        yield {
          subject: m.subject,
          streamSeq: m.seq,
          pending: m.info.pending,
          data: unwrapEnvelope(decodeJson(m.data)),
        };
        if (!follow && m.info.pending === 0) break;
      }
      await stop();
    }
    return { messages: read(), stop };
  }

  /** Sequence number and payload of the last message on `subject` (wildcards allowed). */
  async lastMessage(
    stream: StreamContract,
    subject: string,
  ): Promise<{ seq: number; data: unknown } | undefined> {
    const jsm = await this.manager();
    try {
      const m = await jsm.streams.getMessage(stream.name, { last_by_subj: subject });
      return m ? { seq: m.seq, data: unwrapEnvelope(decodeJson(m.data)) } : undefined;
    } catch (e) {
      if (/no message found|not found/i.test((e as Error).message)) return undefined;
      throw e;
    }
  }

  /** Stops every durable consumer of this process, letting handlers in flight finish. */
  async stopConsumers(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.stop()));
  }

  private track(stop: () => Promise<void>): ConsumerHandle {
    let done: Promise<void> | undefined;
    const handle: ConsumerHandle = {
      stop: () => {
        done ??= stop().finally(() => this.consumers.delete(handle));
        return done;
      },
    };
    this.consumers.add(handle);
    return handle;
  }

  /** Decodes and validates; invalid payloads are dead-lettered and terminated (never retried). */
  private async prepare<E extends EventContract>(
    opts: DurableBase<E>,
    m: JsMsg,
  ): Promise<DurableItem<z.infer<E['payload']>> | undefined> {
    let raw: unknown;
    try {
      raw = unwrapEnvelope(decodeJson(m.data));
    } catch {
      await this.deadLetter(opts, m, 'payload is not JSON');
      return undefined;
    }
    const parsed = opts.contract.payload.safeParse(raw);
    if (!parsed.success) {
      await this.deadLetter(opts, m, validationError('payload', parsed.error).message);
      return undefined;
    }
    return {
      payload: parsed.data as z.infer<E['payload']>,
      meta: readMeta(m.subject, m.headers),
      delivery: {
        deliveryCount: m.info.deliveryCount,
        streamSeq: m.seq,
        working: () => m.working(),
      },
    };
  }

  private async runOne(
    opts: DurableBase<EventContract>,
    m: JsMsg,
    fn: () => Promise<void>,
  ): Promise<void> {
    const meta = readMeta(m.subject, m.headers);
    const keepAlive = setInterval(
      () => m.working(),
      Math.max(1_000, Math.floor(opts.ackWaitMs / 3)),
    );
    try {
      await requestContext.run(
        {
          correlationId: meta.correlationId,
          subject: m.subject,
          ...(meta.actor ? { actor: meta.actor } : {}),
        },
        () => withExtractedContext((k) => m.headers?.get(k) || undefined, fn),
      );
      m.ack();
      this.count(opts, 'ack');
    } catch (e) {
      await this.failed(opts, [m], e);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async runBatch<E extends EventContract>(
    opts: DurableBatchOptions<E>,
    batch: { m: JsMsg; item: DurableItem<z.infer<E['payload']>> }[],
  ): Promise<void> {
    const keepAlive = setInterval(
      () => batch.forEach(({ m }) => m.working()),
      Math.max(1_000, Math.floor(opts.ackWaitMs / 3)),
    );
    try {
      await opts.handleBatch(batch.map((b) => b.item));
      for (const { m } of batch) m.ack();
      this.count(opts, 'ack', batch.length);
    } catch (e) {
      await this.failed(
        opts,
        batch.map((b) => b.m),
        e,
      );
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async failed(opts: DurableBase<EventContract>, msgs: JsMsg[], e: unknown): Promise<void> {
    const permanent = isDomainError(e) && !e.retryable && e.code !== 'INTERNAL';
    for (const m of msgs) {
      const attempt = m.info.deliveryCount;
      if (permanent || attempt >= opts.maxDeliver) {
        await this.deadLetter(
          opts,
          m,
          `${permanent ? 'rejected' : `failed ${attempt} times`}: ${(e as Error).message}`,
        );
      } else {
        const delays = opts.retryDelaysMs;
        m.nak(delays[Math.min(attempt - 1, delays.length - 1)] ?? 1_000);
        this.count(opts, 'nak');
      }
    }
    this.logger.warn(
      { err: e, durable: opts.durable, messages: msgs.length },
      'durable handler failed',
    );
  }

  private async deadLetter(
    opts: DurableBase<EventContract>,
    m: JsMsg,
    reason: string,
  ): Promise<void> {
    const stream = requireStream(opts.contract).name;
    try {
      await this.publish(
        DeadLettered,
        [stream],
        {
          stream,
          consumer: opts.durable,
          subject: m.subject,
          reason: reason.slice(0, 2_000),
          payload: new TextDecoder().decode(m.data).slice(0, 65_536),
          at: new Date().toISOString(),
        },
        { msgId: `dlq:${stream}:${m.seq}` },
      );
      m.term(reason.slice(0, 200));
      this.count(opts, 'term');
      this.logger.error(
        { durable: opts.durable, subject: m.subject, reason },
        'message dead-lettered',
      );
    } catch (e) {
      // Could not park it: leave it for redelivery rather than lose it.
      m.nak(5_000);
      this.logger.error(
        { err: e, durable: opts.durable },
        'dead-lettering failed; message will be redelivered',
      );
    }
  }

  private count(opts: DurableBase<EventContract>, outcome: string, n = 1): void {
    this.metrics.jsDelivered.inc(
      { stream: requireStream(opts.contract).name, consumer: opts.durable, outcome },
      n,
    );
  }
}

// An exhausted replay (nothing stored, not following).
async function* emptyReplay(): AsyncGenerator<ReplayedMessage> {
  yield* [];
}

function requireStream(contract: EventContract): StreamContract {
  if (!contract.stream) throw new Error(`${contract.template} is not a JetStream contract`);
  return contract.stream;
}
