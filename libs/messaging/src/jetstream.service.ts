import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  type JetStreamClient,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  DeadLettered,
  DomainError,
  type EventContract,
  type StreamContract,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import { LOGGER, type Logger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import type { z } from 'zod';
import { type BatchCutter, BatchQueue } from './batch-queue.js';
import { decodeJson, encodeJson, unwrapEnvelope } from './codec.js';
import { ConsumerLagMetrics } from './consumer-lag.metrics.js';
import {
  type ConsumerHandle,
  ConsumerSupervisor,
  type PullSession,
} from './consumer-supervisor.js';
import { DurableDelivery, requireStream } from './durable-delivery.js';
import type {
  DurableBase,
  DurableBatchOptions,
  DurableItem,
  DurableOptions,
  ReplayedMessage,
} from './durable.options.js';
import { buildHeaders, type OutgoingOptions } from './message-meta.js';
import {
  CONNECTION_WATCH,
  MESSAGING_OPTIONS,
  type MessagingOptions,
  NATS_CONNECTION,
} from './messaging.options.js';
import type { ConnectionWatch } from './connection.watch.js';
import { StreamSetup } from './stream-setup.js';
import { replayStream } from './stream-replay.js';
import { desiredStream } from './stream-reconcile.js';

export type { ConsumerHandle } from './consumer-supervisor.js';
export type * from './durable.options.js';

const PROBE_TIMEOUT_MS = 1_500;
/** Room for a stored message's headers within the server's max_payload. */
const HEADER_ALLOWANCE_BYTES = 2_048;

/**
 * JetStream for the durable flows: idempotent stream set-up, de-duplicated publishes, durable consumers
 * that ack only after the handler succeeded (nak with delay on retryable failure, dead-letter on
 * invalid payloads or after the last attempt), and ephemeral replays for resumable streams.
 */
@Injectable()
export class JetStreamService {
  private readonly js: JetStreamClient;
  private jsmPromise: Promise<JetStreamManager> | undefined;
  private probePromise: Promise<JetStreamManager> | undefined;
  private readonly consumers = new Set<ConsumerHandle>();
  /** The streams this process relies on (ensured at boot), checked by readiness. */
  private readonly streamsInUse = new Set<string>();
  /** Stream differences already logged by this process (each is logged once). */
  private readonly reportedDifferences = new Set<string>();

  private readonly delivery: DurableDelivery;
  private readonly lag: ConsumerLagMetrics;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
    @Optional() @Inject(CONNECTION_WATCH) private readonly watch?: ConnectionWatch,
  ) {
    this.js = jetstream(nc);
    this.delivery = new DurableDelivery(logger, metrics, (tokens, payload, msgId) =>
      this.publish(DeadLettered, tokens, payload, { msgId }),
    );
    this.lag = new ConsumerLagMetrics(metrics, async (stream, durable) =>
      (await this.probe()).consumers.info(stream, durable),
    );
  }

  private manager(): Promise<JetStreamManager> {
    this.jsmPromise ??= jetstreamManager(this.nc);
    return this.jsmPromise;
  }

  /** For readiness probes: answers within PROBE_TIMEOUT_MS or fails (a probe must not hang). */
  private probe(): Promise<JetStreamManager> {
    this.probePromise ??= jetstreamManager(this.nc, { timeout: PROBE_TIMEOUT_MS }).catch((e) => {
      this.probePromise = undefined;
      throw e;
    });
    return this.probePromise;
  }

  /**
   * Creates the missing streams with the configured replicas and limits, and brings existing ones in
   * line (safe to run from every replica at boot): only what breaks the platform (a missing subject,
   * another retention, a shorter de-duplication window) and what the configuration explicitly sets
   * (JETSTREAM_REPLICAS, JETSTREAM_MAX_BYTES, JETSTREAM_MAX_AGE) is changed, each change logged with
   * the old and new value; an operator's other edits are kept and the differences logged once. An
   * update the server refuses is logged and skipped; a stream that cannot be created fails the call.
   * From then on readiness includes `jetstream`: JetStream answers and every stream ensured here exists.
   */
  async ensureStreams(streams: readonly StreamContract[]): Promise<void> {
    const setup = new StreamSetup(await this.manager(), this.logger, this.reportedDifferences);
    for (const s of streams) {
      this.streamsInUse.add(s.name);
      await setup.ensure(desiredStream(s, this.options.jetstream));
    }
    this.readiness.register('jetstream', () => this.checkStreams());
  }

  private async checkStreams(): Promise<void> {
    const jsm = await this.probe();
    await Promise.all(
      [...this.streamsInUse].map((name) =>
        jsm.streams.info(name).catch((e: Error) => {
          throw new Error(`stream ${name}: ${e.message}`);
        }),
      ),
    );
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
    // Published into a connection that is down or not answering, it would wait out the ack timeout.
    if (this.watch && !this.watch.usable && this.options.connectionWaitMs !== undefined) {
      if (!(await this.watch.whenConnected(this.options.connectionWaitMs)))
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `could not store ${subject}: NATS is unreachable (disconnected, or not answering)`,
          { retryable: true },
        );
    }
    const bytes = encodeJson({ pattern: subject, data: parsed.data });
    // The client would refuse it only after waiting for the ack timeout: said at once, typed.
    const max = this.nc.info?.max_payload;
    if (max !== undefined && bytes.length + HEADER_ALLOWANCE_BYTES > max)
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `could not store ${subject}: ${bytes.length} bytes, more than the server's max_payload (${max})`,
        { details: { bytes: bytes.length, maxPayload: max } },
      );
    try {
      const ack = await this.js.publish(subject, bytes, {
        msgID: opts.msgId,
        headers: buildHeaders(this.options.service, opts),
      });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (e) {
      // The stream refused it (full, …): offering it again will not help. Anything else — nobody
      // answered (a leader election, no connection), no acknowledgement in time — may pass later.
      const refused = e instanceof JetStreamApiError;
      throw new DomainError(
        'UPSTREAM_UNAVAILABLE',
        `could not store ${subject}: ${(e as Error).message}`,
        { retryable: !refused },
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
      deliver_policy: opts.deliverPolicy === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: nanos(opts.ackWaitMs),
      max_deliver: opts.maxDeliver,
      filter_subject: opts.filterSubject ?? opts.contract.pattern,
      max_ack_pending: maxAckPending,
    };
    try {
      await jsm.consumers.info(stream.name, opts.durable);
      // The filter too: a durable made by an older release for subjects that have changed since
      // (e.g. sb.audit.* before audit records carried their task) reads the new ones from here on,
      // keeping its place in the stream (nats-server 2.9 and 2.10 both allow this update).
      await jsm.consumers.update(stream.name, opts.durable, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
        filter_subject: config.filter_subject,
      });
    } catch (e) {
      if (!/not found/i.test((e as Error).message)) throw e;
      await jsm.consumers.add(stream.name, config);
    }
  }

  /** Whether the durable `durable` of `stream` exists (e.g. made by another replica). */
  async hasDurable(stream: StreamContract, durable: string): Promise<boolean> {
    const jsm = await this.manager();
    try {
      await jsm.consumers.info(stream.name, durable);
      return true;
    } catch (e) {
      if (/not found/i.test((e as Error).message)) return false;
      throw e;
    }
  }

  /**
   * Deletes the durable `durable` of `stream` if it exists: one a release no longer reads, which
   * would otherwise keep its place in the stream (and its pending count) forever. Whether it did.
   */
  async deleteDurable(stream: StreamContract, durable: string): Promise<boolean> {
    const jsm = await this.manager();
    try {
      return await jsm.consumers.delete(stream.name, durable);
    } catch (e) {
      if (/not found/i.test((e as Error).message)) return false;
      throw e;
    }
  }

  /** Runs `handle` for each message, `concurrency` at a time; acks after success. */
  async consumeDurable<E extends EventContract>(opts: DurableOptions<E>): Promise<ConsumerHandle> {
    // Shared by every pull loop of this consumer (a recreated durable starts a new loop).
    const inflight = new Set<Promise<void>>();
    const supervisor = await this.supervise(opts, opts.concurrency, async (messages) => {
      for await (const m of messages) {
        const item = await this.delivery.prepare(opts, m);
        if (!item) continue;
        const p = this.delivery.runOne(opts, m, item).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= opts.concurrency) await Promise.race(inflight);
      }
    });
    return this.track(supervisor, async () => {
      await Promise.allSettled(inflight);
    });
  }

  /** Like consumeDurable, but hands over whatever has arrived (up to maxBatch) in one call. */
  async consumeDurableBatch<E extends EventContract>(
    opts: DurableBatchOptions<E>,
  ): Promise<ConsumerHandle> {
    const queue = new BatchQueue<{ m: JsMsg; item: DurableItem<z.infer<E['payload']>> }>(
      opts.maxBatch,
      opts.lingerMs,
      opts.cutter && cutterOf(opts.cutter),
    );
    const supervisor = await this.supervise(opts, opts.maxBatch * 2, async (messages) => {
      for await (const m of messages) {
        const item = await this.delivery.prepare(opts, m);
        if (item) queue.push({ m, item });
      }
    });
    const drainer = (async () => {
      while (!queue.isClosed) {
        const batch = await queue.next();
        if (batch.length) await this.delivery.runBatch(opts, batch);
      }
    })();
    return this.track(supervisor, async () => {
      queue.close();
      await drainer.catch(() => undefined);
    });
  }

  /**
   * Keeps the durable pulling through `pull` (one call per pull loop), recreating the durable and the
   * loop when the server loses it or the loop dies; see ConsumerSupervisor.
   */
  private supervise(
    opts: DurableBase<EventContract>,
    maxAckPending: number,
    pull: (messages: ConsumerMessages) => Promise<void>,
  ): Promise<ConsumerSupervisor> {
    const stream = requireStream(opts.contract).name;
    return ConsumerSupervisor.start({
      label: `durable "${opts.durable}" on ${stream}`,
      logger: this.logger,
      open: async (lost): Promise<PullSession> => {
        await this.ensureDurable(opts, maxAckPending);
        this.lag.track(stream, opts.durable);
        const consumer = await this.js.consumers.get(stream, opts.durable);
        const messages = await consumer.consume({ max_messages: maxAckPending });
        void (async () => {
          for await (const n of messages.status()) {
            if (
              n.type === 'consumer_deleted' ||
              n.type === 'consumer_not_found' ||
              n.type === 'stream_not_found'
            )
              lost(`the server reports ${n.type.replaceAll('_', ' ')}`);
          }
        })().catch(() => undefined);
        const ended = pull(messages).catch((e: unknown) =>
          this.logger.error({ err: e, durable: opts.durable }, 'pull loop failed'),
        );
        return {
          ended,
          close: async () => {
            await messages.close();
          },
        };
      },
      exists: async () => {
        const jsm = await this.probe();
        try {
          await jsm.consumers.info(stream, opts.durable);
          return true;
        } catch (e) {
          if (/not found/i.test((e as Error).message)) return false;
          throw e;
        }
      },
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
    return replayStream(this.js, stream, filterSubject, {
      ...opts,
      pullExpiresMs: this.options.replayPullExpiresMs,
    });
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

  /** Registers the consumer for stopConsumers; `drain` runs after its pull loop has stopped. */
  private track(supervisor: ConsumerSupervisor, drain: () => Promise<void>): ConsumerHandle {
    let done: Promise<void> | undefined;
    const handle: ConsumerHandle = {
      check: () => supervisor.check(),
      stop: () => {
        done ??= supervisor
          .stop()
          .then(drain)
          .finally(() => this.consumers.delete(handle));
        return done;
      },
    };
    this.consumers.add(handle);
    return handle;
  }
}

/** A cutter of durable items as one of the queue's entries (the message and its item). */
function cutterOf<I>(make: () => BatchCutter<I>): () => BatchCutter<{ item: I }> {
  return () => {
    const cut = make();
    return (entry) => cut(entry.item);
  };
}
