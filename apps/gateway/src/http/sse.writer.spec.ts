import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { FastifyReply } from 'fastify';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SseWriter } from './sse.writer.js';

/** A response whose client never reads: every write stays buffered. */
class StalledResponse extends Writable {
  head: Record<string, string> | undefined;
  flushed = false;

  constructor() {
    super({ highWaterMark: 16 });
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, _done: () => void): void {
    // Never acknowledged, like a socket whose peer stopped reading.
  }

  writeHead(_status: number, headers: Record<string, string>): this {
    this.head = headers;
    return this;
  }

  flushHeaders(): void {
    this.flushed = true;
  }
}

/** A response whose client reads everything at once: records each write and when it was made. */
class RecordingResponse extends EventEmitter {
  readonly writes: { at: number; chunk: string }[] = [];
  readonly writableLength = 0;

  writeHead(): this {
    return this;
  }

  flushHeaders(): void {
    // nothing is held back
  }

  cork(): void {
    // every write is recorded at once
  }

  uncork(): void {
    // every write is recorded at once
  }

  write(chunk: string): boolean {
    this.writes.push({ at: Date.now(), chunk });
    return true;
  }

  end(): void {
    // the tests look at the writes only
  }

  get heartbeats(): number {
    return this.writes.filter((w) => w.chunk === ': keep-alive\n\n').length;
  }
}

const open = (raw: Writable | RecordingResponse, maxBufferBytes: number, heartbeatMs = 60_000) => {
  const drops: { reason: string; details: Record<string, unknown> }[] = [];
  const reply = { raw, hijack: () => undefined } as unknown as FastifyReply;
  const sse = SseWriter.open(
    reply,
    {},
    {
      heartbeatMs,
      maxBufferBytes,
      onDrop: (reason, details) => drops.push({ reason, details }),
    },
  );
  return { sse, drops };
};

describe(SseWriter.name, () => {
  it('drops a client that falls more than maxBufferBytes behind, once, and says why', async () => {
    const raw = new StalledResponse();
    const closed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    const { sse, drops } = open(raw, 1_024);
    let closes = 0;
    sse.onClose(() => closes++);
    for (let i = 0; i < 100 && !sse.isClosed; i++)
      sse.event('e', String(i), { pad: 'x'.repeat(100) });
    await closed;
    expect(sse.isClosed).toBe(true);
    expect(raw.destroyed).toBe(true);
    expect(closes).toBe(1);
    expect(drops).toEqual([
      {
        reason: 'the client reads too slowly',
        details: { bufferedBytes: expect.any(Number), maxBufferBytes: 1_024 },
      },
    ]);
    expect(drops[0]!.details['bufferedBytes']).toBeGreaterThan(1_024);
    sse.event('late', '101', {}); // ignored once closed
    expect(drops).toHaveLength(1);
  });

  it('keeps a client that stays within the bound', () => {
    const raw = new StalledResponse();
    const { sse, drops } = open(raw, 64 * 1_024);
    for (let i = 0; i < 10; i++) sse.event('e', String(i), { n: i });
    expect(sse.isClosed).toBe(false);
    expect(drops).toEqual([]);
    expect(raw.head?.['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(raw.flushed).toBe(true);
    sse.end();
  });

  describe('heartbeats', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('go to a stream after a heartbeat interval of silence, not to one that keeps writing, from one timer that stops with the last stream', () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
      const timersBefore = jest.getTimerCount();
      const quiet = new RecordingResponse();
      const busy = new RecordingResponse();
      const a = open(quiet, 1_024 * 1_024, 800).sse;
      const b = open(busy, 1_024 * 1_024, 800).sse;
      expect(jest.getTimerCount()).toBe(timersBefore + 1); // one timer, however many streams
      for (let i = 1; i <= 8; i++) {
        jest.advanceTimersByTime(300);
        b.event('e', String(i), { i });
      }
      // 2,400 ms: the quiet stream got a heartbeat in each of its three silent intervals.
      expect(quiet.heartbeats).toBe(3);
      expect(busy.heartbeats).toBe(0);
      expect(busy.writes).toHaveLength(8);
      a.end();
      expect(jest.getTimerCount()).toBe(timersBefore + 1);
      b.end();
      expect(jest.getTimerCount()).toBe(timersBefore);
      jest.advanceTimersByTime(10_000);
      expect(quiet.heartbeats).toBe(3);
    });

    it('never leave a stream silent for longer than the interval, nor beat much more often', () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
      const raw = new RecordingResponse();
      const start = Date.now();
      const { sse } = open(raw, 1_024 * 1_024, 1_000);
      jest.advanceTimersByTime(350);
      sse.event('e', '1', {});
      jest.advanceTimersByTime(10_000);
      sse.end();
      const times = [start, ...raw.writes.map((w) => w.at)];
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      expect(gaps.length).toBeGreaterThan(9);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(1_000);
      expect(Math.min(...gaps.slice(1))).toBeGreaterThanOrEqual(875);
    });
  });
});

describe(`${SseWriter.name} on a real HTTP response`, () => {
  it('delivers the last event when the stream ends in the same tick (a corked response is flushed first)', async () => {
    const server = createServer((_req, res) => {
      const reply = { raw: res, hijack: () => undefined } as unknown as FastifyReply;
      const sse = SseWriter.open(reply, {}, { heartbeatMs: 60_000, maxBufferBytes: 1 << 20 });
      setImmediate(() => {
        sse.event('orchestrator.task.completed', '4', { ok: true });
        sse.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      expect(body).toBe('id: 4\nevent: orchestrator.task.completed\ndata: {"ok":true}\n\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
