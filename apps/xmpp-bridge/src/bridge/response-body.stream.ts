// A local target's response body read while the target writes it (server mode, streamed responses):
// what arrives is held only until a flush point — an SSE event boundary, a short timer, or a full
// chunk — so events go out as they are written, coalesced when they come fast. Bounded in size,
// silence and memory (the target is paused while the XMPP side falls behind).
import { DomainError } from '@switchboard/contracts';
import type { IncomingMessage } from 'node:http';
import type { BodyStream } from '../http/http-message.js';

export interface ResponseBodyStreamOptions {
  /** Largest body in all; more aborts the request (PAYLOAD_TOO_LARGE). */
  maxBytes: number;
  /** Longest silence of the target; longer aborts the request (TIMEOUT). */
  idleMs: number;
  /** Longest time received bytes wait for more before they go out. */
  flushMs: number;
  /** text/event-stream: bytes ending an event go out at once. */
  eventStream: boolean;
  /** Bytes held before the target is paused. */
  highWaterBytes: number;
}

const SSE_BOUNDARY = /\r?\n\r?\n$/;

export class ResponseBodyStream implements BodyStream {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private total = 0;
  /** What is queued may go out now (a flush point was reached). */
  private ready = false;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly settled: Promise<void>;
  private settle: () => void = () => undefined;

  constructor(
    private readonly res: IncomingMessage,
    /** Aborts the local request (destroys its socket). */
    private readonly abortRequest: () => void,
    private readonly options: ResponseBodyStreamOptions,
  ) {
    this.settled = new Promise<void>((resolve) => (this.settle = resolve));
    this.armIdle();
    res.on('data', (chunk: Buffer) => this.onData(chunk));
    res.on('end', () => {
      this.ended = true;
      this.ready = true;
      this.clearTimers();
      this.settle();
      this.wake?.();
    });
    res.on('close', () => {
      if (!this.ended)
        this.fail(
          new DomainError('UPSTREAM_ERROR', 'the local HTTP target broke off its response'),
        );
    });
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.total += chunk.length;
    if (this.total > this.options.maxBytes) {
      this.fail(
        new DomainError(
          'PAYLOAD_TOO_LARGE',
          `the response body exceeds the bridge limit of ${this.options.maxBytes} bytes`,
          { details: { limit: this.options.maxBytes } },
        ),
      );
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.armIdle();
    if (this.options.eventStream && SSE_BOUNDARY.test(chunk.subarray(-4).toString('latin1'))) {
      this.ready = true;
    } else if (!this.ready && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.ready = true;
        this.wake?.();
      }, this.options.flushMs);
    }
    if (this.queued > this.options.highWaterBytes) this.res.pause();
    this.wake?.();
  }

  async next(maxBytes: number): Promise<Buffer | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.queued > 0 && (this.ready || this.queued >= maxBytes)) return this.take(maxBytes);
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Resolves true when the body ended within `ms` (it is then all queued), false otherwise. */
  async endedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
    if (this.failure) throw this.failure;
    return this.ended;
  }

  /** Everything queued, at once (after the end). */
  drain(): Buffer {
    const all = Buffer.concat(this.queue, this.queued);
    this.queue.length = 0;
    this.queued = 0;
    return all;
  }

  abort(reason: string): void {
    if (this.ended || this.failure) return;
    this.fail(new DomainError('CANCELLED', reason));
  }

  private take(maxBytes: number): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    while (size < maxBytes && this.queue.length > 0) {
      const head = this.queue[0] as Buffer;
      const room = maxBytes - size;
      if (head.length <= room) {
        parts.push(head);
        size += head.length;
        this.queue.shift();
      } else {
        parts.push(head.subarray(0, room));
        this.queue[0] = head.subarray(room);
        size += room;
      }
    }
    this.queued -= size;
    if (this.queued === 0 && !this.ended) {
      this.ready = false;
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    // The consumer moves on: the target may write again, and its silence counts from here.
    if (this.res.isPaused() && this.queued <= this.options.highWaterBytes / 2) this.res.resume();
    if (!this.ended) this.armIdle();
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(
      () =>
        this.fail(
          new DomainError(
            'TIMEOUT',
            `the local HTTP target sent nothing for ${this.options.idleMs} ms`,
            { retryable: true },
          ),
        ),
      this.options.idleMs,
    );
  }

  private clearTimers(): void {
    clearTimeout(this.flushTimer);
    clearTimeout(this.idleTimer);
    this.flushTimer = undefined;
    this.idleTimer = undefined;
  }

  private fail(error: Error): void {
    if (this.failure || this.ended) return;
    this.failure = error;
    this.clearTimers();
    this.queue.length = 0;
    this.queued = 0;
    this.abortRequest();
    this.settle();
    this.wake?.();
  }
}
