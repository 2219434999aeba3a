import { type CommandContract, DomainError, validationError } from '@switchboard/contracts';
import type { BusMessage } from './bus-subscription.js';
import { decodeJson } from './codec.js';
import { fromNatsRequestError, NoRespondersError } from './messaging.errors.js';
import type { ResponderLiveness } from './stream-heartbeat.js';

/** What every part of a streamed reply carries; `end` and `error` close the stream. */
export interface StreamPart {
  kind: string;
  seq: number;
  error?: unknown;
}

/** Parts received ahead of a missing one that are kept before the stream counts as broken. */
const MAX_PARTS_AHEAD = 1_024;

/** No part within the allowed time (the caller turns it into a MessagingTimeoutError). */
export class StreamTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no part within ${ms} ms`);
  }
}

/** Heartbeats stopped (the caller turns it into the liveness' UPSTREAM_UNAVAILABLE). */
export class ResponderGone extends Error {}

/**
 * The caller's connection dropped before anything came from the responder, and once it was back the
 * responder still said nothing: the request went down with the connection (the caller turns it into
 * a ConnectionLostError).
 */
export class RequestLost extends Error {}

/**
 * The receiving end of one streamed request: validates each message against the contract, puts the
 * parts in `seq` order (NATS keeps one publisher's order, but a gap must not go unnoticed), and hands
 * them out one at a time, waiting at most the given silence — or less, once the responder's
 * heartbeats stop, or once a request that may have gone down with the caller's connection is still
 * unanswered a grace period after the connection came back.
 */
export class StreamInbox {
  private readonly ahead = new Map<number, StreamPart>();
  private expected = 0;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private lastActivity = performance.now();
  /** Whether anything (a part, a heartbeat) came from the responder. */
  private answered = false;
  /** The connection dropped before the responder answered: whether it is back, and since when. */
  private unansweredDrop: { backAt: number | undefined } | undefined;

  constructor(
    private readonly contract: CommandContract,
    readonly liveness: ResponderLiveness,
  ) {}

  /** Whether the first part was handed out (the idle timeout applies from then on). */
  get started(): boolean {
    return this.expected > 0;
  }

  touch(): void {
    this.lastActivity = performance.now();
    this.liveness.heard();
  }

  /** The caller's NATS connection dropped. */
  connectionLost(): void {
    if (!this.answered) this.unansweredDrop = { backAt: undefined };
  }

  /** The caller's NATS connection is back: a responder that had the request says so within the grace. */
  connectionBack(): void {
    if (this.unansweredDrop) this.unansweredDrop.backAt = performance.now();
    this.wake?.();
  }

  private heardFromResponder(): void {
    this.answered = true;
    this.unansweredDrop = undefined;
  }

  receive(err: Error | null, msg?: Pick<BusMessage, 'data' | 'headers'>): void {
    const { contract } = this;
    if (err || !msg)
      return this.fail(
        fromNatsRequestError(err ?? new Error('no message'), contract.subject, contract.service, 0),
      );
    if (msg.data.length === 0 && msg.headers?.code === 503)
      return this.fail(new NoRespondersError(contract.subject, contract.service));
    let value: unknown;
    try {
      value = decodeJson(msg.data);
    } catch {
      return this.fail(
        new DomainError('UPSTREAM_ERROR', `${contract.service} sent a part that is not JSON`),
      );
    }
    if (this.liveness.beat(value)) {
      this.heardFromResponder();
      this.wake?.(); // the liveness deadline moved
      return;
    }
    const parsed = contract.response.safeParse(value);
    const part = parsed.data as StreamPart | undefined;
    if (!parsed.success || typeof part?.seq !== 'number' || typeof part.kind !== 'string') {
      const e = parsed.success ? undefined : validationError('part', parsed.error);
      return this.fail(
        new DomainError(
          'UPSTREAM_ERROR',
          `invalid part of the reply from ${contract.service} on ${contract.subject}: ${e?.message ?? 'no kind or seq'}`,
          e?.details ? { details: e.details } : {},
        ),
      );
    }
    if (part.seq < this.expected || this.ahead.has(part.seq)) return; // a duplicate
    if (this.ahead.size >= MAX_PARTS_AHEAD) {
      return this.fail(
        new DomainError(
          'UPSTREAM_ERROR',
          `the reply from ${contract.service} on ${contract.subject} lost part ${this.expected}`,
        ),
      );
    }
    this.ahead.set(part.seq, part);
    this.heardFromResponder();
    this.touch();
    this.wake?.();
  }

  fail(e: unknown): void {
    this.failure ??= e;
    this.wake?.();
  }

  /**
   * The next part in order; rejects on a failure, when nothing arrived for `silenceMs`, or when the
   * responder said nothing for `lostGraceMs` after the connection that may have lost the request
   * came back.
   */
  async take(silenceMs: number, lostGraceMs: number): Promise<StreamPart> {
    for (;;) {
      // A failure (an abort above all) wins over parts still waiting to be read.
      if (this.failure !== undefined) throw this.failure;
      const part = this.ahead.get(this.expected);
      if (part) {
        this.ahead.delete(this.expected);
        this.expected++;
        return part;
      }
      const now = performance.now();
      const left = this.lastActivity + silenceMs - now;
      if (left <= 0) throw new StreamTimeout(silenceMs);
      const alive = this.liveness.deadline - now;
      if (alive <= 0) throw new ResponderGone();
      const backAt = this.unansweredDrop?.backAt;
      const lost = backAt === undefined ? Infinity : backAt + lostGraceMs - now;
      if (lost <= 0) throw new RequestLost();
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, Math.min(left, alive, lost));
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
  }
}
