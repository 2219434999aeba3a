import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

export interface SseOptions {
  heartbeatMs: number;
  /** Unsent bytes the client may fall behind by before it is disconnected. */
  maxBufferBytes: number;
  /** Told once why the writer dropped its client (to log it). */
  onDrop?: (reason: string, details: Record<string, unknown>) => void;
}

/** Ticks per heartbeat interval: a stream gets a heartbeat after 7/8 to 8/8 of it without a write. */
const PHASES = 8;

/**
 * The heartbeats of every open stream with the same interval, from one timer: it ticks PHASES times
 * per interval and sends a heartbeat to each stream that has written nothing for PHASES ticks (7/8 to
 * 8/8 of the interval). Streams keep the phase they opened in, so their heartbeats stay spread over
 * the interval as before, and a stream that is busy anyway gets none. A write only notes the tick: no
 * timer per stream, none re-armed per write.
 */
class HeartbeatClock {
  private static readonly clocks = new Map<number, HeartbeatClock>();
  /** Ticks so far; a writer notes it on each write. */
  tick = 0;
  private readonly writers = new Set<SseWriter>();
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly intervalMs: number) {}

  static for(intervalMs: number): HeartbeatClock {
    let clock = this.clocks.get(intervalMs);
    if (!clock) this.clocks.set(intervalMs, (clock = new HeartbeatClock(intervalMs)));
    return clock;
  }

  add(writer: SseWriter): void {
    this.writers.add(writer);
    if (!this.timer) {
      this.timer = setInterval(
        () => this.beat(),
        Math.max(1, Math.floor(this.intervalMs / PHASES)),
      );
      this.timer.unref(); // the streams' sockets keep the process alive, not their heartbeats
    }
  }

  delete(writer: SseWriter): void {
    this.writers.delete(writer);
    if (this.writers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private beat(): void {
    this.tick++;
    for (const writer of this.writers) {
      if (this.tick - writer.lastWriteTick >= PHASES) writer.heartbeat();
    }
  }
}

/**
 * Writes Server-Sent Events on a hijacked Fastify reply: named events with ids, comment heartbeats
 * after SSE_HEARTBEAT_MS of silence, and an `onClose` that fires when the client goes away (so its
 * resources are freed at once).
 *
 * A client that reads more slowly than events come would make Node buffer them without bound; once
 * `maxBufferBytes` are waiting the connection is dropped instead. Nothing is lost: the task keeps
 * running and the client resumes with Last-Event-ID from the last event it did read.
 */
export class SseWriter {
  /** The heartbeat clock's tick of this writer's last write. */
  lastWriteTick: number;
  private corked = false;
  private closed = false;
  private readonly clock: HeartbeatClock;

  private constructor(
    private readonly reply: FastifyReply,
    private readonly options: SseOptions,
  ) {
    this.clock = HeartbeatClock.for(options.heartbeatMs);
    this.lastWriteTick = this.clock.tick;
    this.clock.add(this);
    reply.raw.on('close', () => this.dispose());
  }

  static open(
    reply: FastifyReply,
    headers: Record<string, string>,
    options: SseOptions,
  ): SseWriter {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
    reply.raw.flushHeaders();
    return new SseWriter(reply, options);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(fn: () => void): void {
    this.reply.raw.on('close', fn);
  }

  /** A named event (`event:`), with an `id:` when given, data as one JSON line. */
  event(name: string | undefined, id: string | undefined, data: unknown): void {
    let frame = '';
    if (id !== undefined) frame += `id: ${id}\n`;
    if (name) frame += `event: ${name}\n`;
    frame += `data: ${JSON.stringify(data)}\n\n`;
    this.write(frame);
  }

  /** A pre-encoded frame (e.g. from the AG-UI encoder), written as is. */
  frame(text: string): void {
    this.write(text);
  }

  /** A comment that keeps idle proxies from closing the stream (the heartbeat clock calls it). */
  heartbeat(): void {
    this.write(': keep-alive\n\n');
  }

  end(): void {
    if (!this.closed) {
      // Node 24 drops what a corked response holds when end() comes before the uncork: flush it first.
      if (this.corked) {
        this.corked = false;
        this.reply.raw.uncork();
      }
      this.reply.raw.end();
    }
    this.dispose();
  }

  private write(chunk: string): void {
    if (this.closed) return;
    const raw = this.reply.raw;
    this.lastWriteTick = this.clock.tick;
    if (!this.corked) {
      // Events often arrive several at a time (one NATS read): one socket write for all of them.
      this.corked = true;
      raw.cork();
      process.nextTick(SseWriter.uncork, this, raw);
    }
    raw.write(chunk);
    if (raw.writableLength > this.options.maxBufferBytes) {
      this.options.onDrop?.('the client reads too slowly', {
        bufferedBytes: raw.writableLength,
        maxBufferBytes: this.options.maxBufferBytes,
      });
      this.dispose();
      raw.destroy();
    }
  }

  /** Ends a cork taken for one tick (a static function: no closure per write). */
  private static uncork(writer: SseWriter, raw: ServerResponse): void {
    if (!writer.corked) return; // end() has flushed it already
    writer.corked = false;
    raw.uncork();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.delete(this);
  }
}
