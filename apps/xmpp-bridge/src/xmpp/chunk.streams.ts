// Reassembly of XEP-0332 chunkedBase64 bodies: `<chunk streamId nr [last]>` messages, ordered by `nr`
// (0-based), keyed by sender and stream. Chunks may arrive before the IQ that announces the stream
// is processed, so unclaimed streams are kept for a while, within a memory bound.
import type { ChunkFrame } from './http-over-xmpp.translator.js';

export class ChunkStreamError extends Error {
  constructor(
    readonly reason: 'too-large' | 'timeout' | 'closed' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ChunkStreamError';
  }
}

interface Stream {
  parts: Map<number, Buffer>;
  bytes: number;
  lastNr?: number;
  createdAt: number;
  claim?: {
    maxBytes: number;
    resolve(body: Buffer): void;
    reject(e: Error): void;
    timer: NodeJS.Timeout;
  };
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
      stream = { parts: new Map(), bytes: 0, createdAt: Date.now() };
      this.streams.set(key, stream);
    }
    if (stream.failed) return undefined;
    const data = Buffer.from(frame.data, 'base64');
    if (stream.parts.has(frame.nr)) return undefined;
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
    this.complete(key, stream);
    return undefined;
  }

  /** The sender gave up on the stream (`<close/>`). */
  onClose(from: string, streamId: string): void {
    const key = this.key(from, streamId);
    const stream = this.streams.get(key);
    if (stream)
      this.fail(
        key,
        stream,
        new ChunkStreamError('closed', 'the sender closed the chunked stream'),
      );
  }

  /** Waits for the whole body of a stream announced by `from`. */
  expect(from: string, streamId: string, timeoutMs: number, maxBytes: number): Promise<Buffer> {
    const key = this.key(from, streamId);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { parts: new Map(), bytes: 0, createdAt: Date.now() };
      this.streams.set(key, stream);
    } else {
      this.unclaimedBytes -= stream.bytes;
    }
    const s = stream;
    return new Promise<Buffer>((resolve, reject) => {
      if (s.failed) {
        this.streams.delete(key);
        reject(s.failed);
        return;
      }
      if (s.bytes > maxBytes) {
        const error = new ChunkStreamError(
          'too-large',
          `the chunked body exceeds ${maxBytes} bytes`,
        );
        this.fail(key, s, error);
        this.streams.delete(key);
        reject(error);
        return;
      }
      const timer = setTimeout(
        () =>
          this.fail(
            key,
            s,
            new ChunkStreamError(
              'timeout',
              `the chunked body did not complete within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      s.claim = { maxBytes, resolve, reject, timer };
      this.complete(key, s);
    });
  }

  private complete(key: string, stream: Stream): void {
    if (stream.lastNr === undefined || !stream.claim || stream.parts.size !== stream.lastNr + 1)
      return;
    const parts: Buffer[] = [];
    for (let nr = 0; nr <= stream.lastNr; nr++) {
      const part = stream.parts.get(nr);
      if (!part) {
        this.fail(key, stream, new ChunkStreamError('invalid', `chunk ${nr} is missing`));
        return;
      }
      parts.push(part);
    }
    this.streams.delete(key);
    clearTimeout(stream.claim.timer);
    stream.claim.resolve(Buffer.concat(parts, stream.bytes));
  }

  private fail(key: string, stream: Stream, error: ChunkStreamError): void {
    stream.failed = error;
    if (!stream.claim) this.unclaimedBytes -= stream.bytes;
    stream.parts.clear();
    stream.bytes = 0;
    if (stream.claim) {
      clearTimeout(stream.claim.timer);
      this.streams.delete(key);
      stream.claim.reject(error);
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
