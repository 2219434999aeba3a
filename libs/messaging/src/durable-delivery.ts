import type { JsMsg } from '@nats-io/jetstream';
import {
  type DeadLettered,
  type EventContract,
  type StreamContract,
  type TokenValues,
  validationError,
} from '@switchboard/contracts';
import {
  endSpan,
  extractTraceContext,
  isTracingExported,
  type Logger,
  type Metrics,
  requestContext,
  type Span,
  type SpanAttributes,
  SpanKind,
  startSpan,
  type TraceContext,
  withSpan,
} from '@switchboard/observability';
import type { z } from 'zod';
import { decodeJson, unwrapEnvelope } from './codec.js';
import type {
  DurableBase,
  DurableBatchOptions,
  DurableItem,
  DurableOptions,
} from './durable.options.js';
import { natsSpanAttributes, readMeta } from './message-meta.js';
import { permanentFailure } from './permanent-failure.js';

/** How a dead letter is stored: a de-duplicated JetStream publish (JetStreamService.publish). */
export type PublishDeadLetter = (
  tokens: TokenValues<(typeof DeadLettered)['tokens']>,
  payload: z.input<(typeof DeadLettered)['payload']>,
  msgId: string,
) => Promise<unknown>;

/**
 * What happens to each message a durable consumer delivers: decoded and validated (invalid ones are
 * dead-lettered, never retried), handled in the sender's correlation and trace context with the ack
 * deadline kept alive, then acked — or, on failure, redelivered after a delay until the last attempt,
 * and dead-lettered at once when the failure is permanent. JetStreamService owns the pull loops.
 */
export class DurableDelivery {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly publishDeadLetter: PublishDeadLetter,
  ) {}

  /** Decodes and validates; invalid payloads are dead-lettered and terminated (never retried). */
  async prepare<E extends EventContract>(
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
      const error = validationError('payload', parsed.error);
      await this.deadLetter(opts, m, error.message, { raw, error });
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

  async runOne<E extends EventContract>(
    opts: DurableOptions<E>,
    m: JsMsg,
    item: DurableItem<z.infer<E['payload']>>,
  ): Promise<void> {
    const fn = () => opts.handle(item);
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
        () =>
          withSpan(processSpanName(opts), processAttributes(opts, m), fn, {
            kind: SpanKind.CONSUMER,
            parent: senderContext(m),
          }),
      );
      m.ack();
      this.count(opts, 'ack');
    } catch (e) {
      await this.failed(opts, [{ m, raw: item.payload }], e);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async runBatch<E extends EventContract>(
    opts: DurableBatchOptions<E>,
    batch: { m: JsMsg; item: DurableItem<z.infer<E['payload']>> }[],
  ): Promise<void> {
    const keepAlive = setInterval(
      () => batch.forEach(({ m }) => m.working()),
      Math.max(1_000, Math.floor(opts.ackWaitMs / 3)),
    );
    const spans = messageSpans(opts, batch);
    let failure: unknown;
    try {
      // The batch's own work (one transaction) belongs to no single sender's trace: it is its own
      // span, linked to each message's.
      await withSpan(
        `${processSpanName(opts)} batch`,
        { 'messaging.batch.message_count': batch.length },
        () => opts.handleBatch(batch.map((b) => b.item)),
        { kind: SpanKind.CONSUMER, links: spans.map((s) => ({ context: s.spanContext() })) },
      );
      for (const { m } of batch) m.ack();
      this.count(opts, 'ack', batch.length);
    } catch (e) {
      failure = e;
      if (batch.length > 1 && permanentFailure(e)) {
        // One bad message must not take the good ones of its batch to the dead letters: each alone.
        clearInterval(keepAlive);
        spans.forEach((s) => endSpan(s, undefined, { 'messaging.batch.split': true }));
        for (const one of batch) await this.runBatch(opts, [one]);
        return;
      }
      await this.failed(
        opts,
        batch.map((b) => ({ m: b.m, raw: b.item.payload })),
        e,
      );
    } finally {
      clearInterval(keepAlive);
      // Split batches ended theirs already.
      for (const span of spans) if (span.isRecording()) endSpan(span, failure);
    }
  }

  /**
   * A handler failed: a permanent failure (see permanentFailure) is dead-lettered at once, anything
   * else is redelivered after a delay until the last attempt.
   */
  private async failed(
    opts: DurableBase<EventContract>,
    msgs: { m: JsMsg; raw: unknown }[],
    e: unknown,
  ): Promise<void> {
    const permanent = permanentFailure(e);
    for (const { m, raw } of msgs) {
      const attempt = m.info.deliveryCount;
      if (permanent || attempt >= opts.maxDeliver) {
        await this.deadLetter(
          opts,
          m,
          `${permanent ? 'rejected' : `failed ${attempt} times`}: ${(permanent ?? (e as Error)).message}`,
          { raw, error: permanent ?? e },
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
    about: { raw?: unknown; error?: unknown } = {},
  ): Promise<void> {
    const stream = requireStream(opts.contract).name;
    if (opts.onDeadLetter) {
      await opts
        .onDeadLetter({
          raw: about.raw,
          meta: readMeta(m.subject, m.headers),
          reason,
          ...(about.error !== undefined ? { error: about.error } : {}),
        })
        .catch((e: unknown) =>
          this.logger.error({ err: e, durable: opts.durable }, 'dead-letter hook failed'),
        );
    }
    try {
      await this.publishDeadLetter(
        [stream],
        {
          stream,
          consumer: opts.durable,
          subject: m.subject,
          reason: reason.slice(0, 2_000),
          payload: new TextDecoder().decode(m.data).slice(0, 65_536),
          at: new Date().toISOString(),
        },
        // Per durable: two durables reading the same message each park it (one de-duplication id
        // would keep only the first one's letter).
        `dlq:${stream}:${opts.durable}:${m.seq}`,
      );
      // No reason on the TERM: nats-server 2.9 ignores a TERM that carries one (the message then comes
      // back every ack wait until max_deliver). The reason is in the dead letter and the log line.
      m.term();
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

/** `jetstream process <subject template>`: one name per kind of message, not per task or record. */
function processSpanName(opts: DurableBase<EventContract>): string {
  return `jetstream process ${opts.contract.template}`;
}

function processAttributes(opts: DurableBase<EventContract>, m: JsMsg): SpanAttributes {
  return {
    ...natsSpanAttributes(m.subject, 'process'),
    'messaging.consumer.group.name': opts.durable,
    'messaging.message.delivery_count': m.info.deliveryCount,
  };
}

/** The trace the message's sender was in (its `traceparent` header), to continue. */
function senderContext(m: JsMsg): TraceContext {
  return extractTraceContext((k) => m.headers?.get(k) || undefined);
}

/**
 * When spans are recorded, one span per message of a batch, in its sender's trace, from now until the
 * batch is acked or given back: each record's trace shows where it was stored.
 */
function messageSpans(opts: DurableBase<EventContract>, batch: { m: JsMsg }[]): Span[] {
  if (!isTracingExported()) return [];
  return batch.map(({ m }) =>
    startSpan(processSpanName(opts), processAttributes(opts, m), {
      kind: SpanKind.CONSUMER,
      parent: senderContext(m),
    }),
  );
}

export function requireStream(contract: EventContract): StreamContract {
  if (!contract.stream) throw new Error(`${contract.template} is not a JetStream contract`);
  return contract.stream;
}
