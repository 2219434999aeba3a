// Reassembly of XEP-0332 chunkedBase64 bodies: `<chunk streamId nr [last]>` messages, ordered by `nr`
// (0-based), keyed by sender and stream. Chunks may arrive before the IQ that announces the stream
// is processed, so unclaimed streams are kept for a while, within a memory bound. A claimed stream
// is either collected whole (`expect`) or handed over chunk by chunk as the sender writes it
// (`follow`, for streamed responses).
import type { ChunkFrame } from './http-over-xmpp.stream-frames.js';

export class ChunkStreamError extends Error {
  constructor(
    readonly reason: 'too-large' | 'timeout' | 'broken-off' | 'closed' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ChunkStreamError';
  }
}

export interface FollowOptions {
  maxBytes: number;
  /** Each chunk's bytes, in `nr` order, as soon as the ones before it are in. */
  onData(bytes: Buffer): void;
  onEnd(): void;
  onError(e: Error): void;
  /** A deadline for the whole body, or (`idle`) for the silence between two chunks. */
  timeoutMs: number;
  idle?: boolean;
}

interface Claim extends FollowOptions {
  timer: NodeJS.Timeout | undefined;
}

interface Stream {
  /** Chunks received and not yet handed over, by `nr`. */
  parts: Map<number, Buffer>;
  /** Bytes received in all (the limit applies to the whole body). */
  bytes: number;
  /** The next `nr` to hand over. */
  next: number;
  lastNr?: number;
  createdAt: number;
  claim?: Claim;
  failed?: ChunkStreamError;
}

const UNCLAIMED_TTL_MS = 60_000;

export class ChunkStreams {
  private readonly streams = new Map<string, Stream>();
  private unclaimedBytes = 0;

  constructor(
    /** Bytes all unclaimed streams may hold together (a peer cannot fill our memory). */
    private readonly unclaimedLimit: number,
  ) {}

  private key(from: string, streamId: string): string {
    return `${from}\n${streamId}`;
  }

  /** A chunk arrived from `from` (full JID). Returns the stream id to close when it must be refused. */
  onChunk(from: string, frame: ChunkFrame): string | undefined {
    const key = this.key(from, frame.streamId);
    let stream = this.streams.get(key);
    if (!stream) {
      this.sweep();
      stream = { parts: new Map(), bytes: 0, next: 0, createdAt: Date.now() };
      this.streams.set(key, stream);
    }
    if (stream.failed) return undefined;
    if (frame.nr < stream.next || stream.parts.has(frame.nr)) return undefined;
    if (
      (stream.lastNr !== undefined && frame.nr > stream.lastNr) ||
      (frame.last && stream.parts.size > 0 && Math.max(...stream.parts.keys()) > frame.nr)
    ) {
      this.fail(key, stream, new ChunkStreamError('invalid', `chunk ${frame.nr} is past the last`));
      return frame.streamId;
    }
    const data = Buffer.from(frame.data, 'base64');
    stream.parts.set(frame.nr, data);
    stream.bytes += data.length;
    if (!stream.claim) this.unclaimedBytes += data.length;
    if (frame.last) stream.lastNr = frame.nr;
    const limit = stream.claim?.maxBytes ?? this.unclaimedLimit;
    if (stream.bytes > limit || (!stream.claim && this.unclaimedBytes > this.unclaimedLimit)) {
      this.fail(
        key,
        stream,
        new ChunkStreamError('too-large', `the chunked body exceeds ${limit} bytes`),
      );
      return frame.streamId;
    }
    this.deliver(key, stream);
    return undefined;
  }

  /** The sender gave up on the stream (`<close/>`), saying why when it is a bridge. */
  onClose(
    from: string,
    streamId: string,
    reason?: 'payload-too-large' | 'timeout' | 'broken-off',
  ): void {
    const key = this.key(from, streamId);
    const stream = this.streams.get(key);
    if (!stream) return;
    this.fail(
      key,
      stream,
      reason === 'payload-too-large'
        ? new ChunkStreamError('too-large', 'the sender stopped: the body exceeds its limit')
        : reason === 'timeout'
          ? new ChunkStreamError('timeout', 'the sender stopped: its source stayed silent too long')
          : reason === 'broken-off'
            ? new ChunkStreamError(
                'broken-off',
                'the sender stopped: its source broke off the body (the HTTP server behind it went away)',
              )
            : new ChunkStreamError('closed', 'the sender closed the chunked stream'),
    );
  }

  /** Waits for the whole body of a stream announced by `from`. */
  expect(from: string, streamId: string, timeoutMs: number, maxBytes: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      this.follow(from, streamId, {
        maxBytes,
        timeoutMs,
        onData: (bytes) => {
          parts.push(bytes);
          size += bytes.length;
        },
        onEnd: () => resolve(Buffer.concat(parts, size)),
        onError: reject,
      });
    });
  }

  /**
   * Hands over the chunks of a stream announced by `from` as they complete its order (those that came
   * early at once). Returns a function that drops the stream without any further callback.
   */
  follow(from: string, streamId: string, options: FollowOptions): () => void {
    const key = this.key(from, streamId);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { parts: new Map(), bytes: 0, next: 0, createdAt: Date.now() };
      this.streams.set(key, stream);
    } else {
      this.unclaimedBytes -= stream.bytes;
    }
    const s = stream;
    const drop = () => {
      if (this.streams.get(key) !== s) return;
      clearTimeout(s.claim?.timer);
      s.claim = undefined;
      s.parts.clear();
      this.streams.delete(key);
    };
    if (s.failed) {
      this.streams.delete(key);
      options.onError(s.failed);
      return drop;
    }
    if (s.bytes > options.maxBytes) {
      const error = new ChunkStreamError(
        'too-large',
        `the chunked body exceeds ${options.maxBytes} bytes`,
      );
      this.fail(key, s, error);
      this.streams.delete(key);
      options.onError(error);
      return drop;
    }
    s.claim = { ...options, timer: undefined };
    this.arm(key, s);
    this.deliver(key, s);
    return drop;
  }

  private arm(key: string, stream: Stream): void {
    const claim = stream.claim;
    if (!claim) return;
    clearTimeout(claim.timer);
    claim.timer = setTimeout(
      () =>
        this.fail(
          key,
          stream,
          new ChunkStreamError(
            'timeout',
            claim.idle
              ? `the chunked body stayed silent for ${claim.timeoutMs} ms`
              : `the chunked body did not complete within ${claim.timeoutMs} ms`,
          ),
        ),
      claim.timeoutMs,
    );
  }

  private deliver(key: string, stream: Stream): void {
    const claim = stream.claim;
    if (!claim) return;
    let delivered = false;
    for (let part = stream.parts.get(stream.next); part; part = stream.parts.get(stream.next)) {
      stream.parts.delete(stream.next);
      stream.next++;
      delivered = true;
      claim.onData(part);
      // The receiver may have dropped the stream from its callback.
      if (stream.claim !== claim) return;
    }
    if (stream.lastNr !== undefined && stream.next > stream.lastNr) {
      this.streams.delete(key);
      clearTimeout(claim.timer);
      stream.claim = undefined;
      claim.onEnd();
      return;
    }
    if (delivered && claim.idle) this.arm(key, stream);
  }

  private fail(key: string, stream: Stream, error: ChunkStreamError): void {
    stream.failed = error;
    // Unclaimed, it stays (failed) for the claim that comes; claimed, its receiver hears now.
    if (stream.claim) this.streams.delete(key);
    else this.unclaimedBytes -= stream.bytes;
    this.abandon(stream, error);
  }

  /** Empties a stream and fails its receiver, if it has one, with `error`. */
  private abandon(stream: Stream, error: Error): void {
    stream.parts.clear();
    stream.bytes = 0;
    const claim = stream.claim;
    if (!claim) return;
    clearTimeout(claim.timer);
    stream.claim = undefined;
    claim.onError(error);
  }

  /**
   * The session is gone: every body still being received fails at once with `error` (its chunks can
   * no longer arrive), and unclaimed chunks are dropped (their IQ cannot be answered any more).
   */
  failAll(error: Error): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    this.unclaimedBytes = 0;
    for (const s of streams) this.abandon(s, error);
  }

  /** Every stream whose sender matches `from` fails with `error` (the sender went offline). */
  failFrom(from: (jid: string) => boolean, error: Error): void {
    for (const [key, s] of [...this.streams]) {
      if (!from(key.slice(0, key.indexOf('\n')))) continue;
      this.streams.delete(key);
      if (!s.claim) this.unclaimedBytes -= s.bytes;
      this.abandon(s, error);
    }
  }

  /** Drops unclaimed streams nobody asked for within the TTL. */
  private sweep(): void {
    const cutoff = Date.now() - UNCLAIMED_TTL_MS;
    for (const [key, s] of this.streams) {
      if (!s.claim && s.createdAt < cutoff) {
        this.unclaimedBytes -= s.bytes;
        this.streams.delete(key);
      }
    }
  }

  /** Streams being held (for tests and metrics). */
  get size(): number {
    return this.streams.size;
  }
}
