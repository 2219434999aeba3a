import { describe, expect, it } from '@jest/globals';
import { ChunkStreams } from './chunk.streams.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe(ChunkStreams.name, () => {
  it('reassembles chunks in nr order, including chunks that came before the stream was announced', async () => {
    const sut = new ChunkStreams(1_000_000);
    sut.onChunk('peer@x/r', { streamId: 's', nr: 1, data: b64('world'), last: true });
    const body = sut.expect('peer@x/r', 's', 1_000, 1_000);
    sut.onChunk('peer@x/r', { streamId: 's', nr: 0, data: b64('hello '), last: false });
    expect((await body).toString()).toBe('hello world');
    expect(sut.size).toBe(0);
  });

  it('keeps streams of different senders apart', async () => {
    const sut = new ChunkStreams(1_000_000);
    const a = sut.expect('a@x/r', 's', 1_000, 1_000);
    sut.onChunk('mallory@x/r', { streamId: 's', nr: 0, data: b64('evil'), last: true });
    sut.onChunk('a@x/r', { streamId: 's', nr: 0, data: b64('good'), last: true });
    expect((await a).toString()).toBe('good');
  });

  it('refuses a body over the limit (asking the sender to close) and a stream that never completes', async () => {
    const sut = new ChunkStreams(1_000_000);
    const big = sut.expect('a@x/r', 'big', 1_000, 4);
    expect(sut.onChunk('a@x/r', { streamId: 'big', nr: 0, data: b64('12345'), last: false })).toBe(
      'big',
    );
    await expect(big).rejects.toThrow(/exceeds 4 bytes/);
    await expect(sut.expect('a@x/r', 'slow', 20, 100)).rejects.toThrow(
      /did not complete within 20 ms/,
    );
  });

  it('bounds what unannounced streams may hold', () => {
    const sut = new ChunkStreams(8);
    expect(
      sut.onChunk('a@x/r', { streamId: 'u1', nr: 0, data: b64('12345'), last: false }),
    ).toBeUndefined();
    expect(sut.onChunk('a@x/r', { streamId: 'u2', nr: 0, data: b64('12345'), last: false })).toBe(
      'u2',
    );
  });

  it('fails when the sender closes the stream', async () => {
    const sut = new ChunkStreams(100);
    const body = sut.expect('a@x/r', 's', 1_000, 100);
    sut.onClose('a@x/r', 's');
    await expect(body).rejects.toThrow(/closed/);
  });

  it('fails every body still arriving at once, and drops unclaimed chunks, when the session goes', async () => {
    const sut = new ChunkStreams(1_000_000);
    const a = sut.expect('a@x/r', 's', 600_000, 1_000);
    const b = sut.expect('b@x/r', 't', 600_000, 1_000);
    sut.onChunk('a@x/r', { streamId: 's', nr: 0, data: b64('half'), last: false });
    sut.onChunk('c@x/r', { streamId: 'u', nr: 0, data: b64('early'), last: false });
    const gone = new Error('the XMPP connection was lost');
    sut.failAll(gone);
    await expect(a).rejects.toBe(gone);
    await expect(b).rejects.toBe(gone);
    expect(sut.size).toBe(0);
  });

  it('hands chunks over in order as they complete it, and fails a stream that stays silent', async () => {
    const sut = new ChunkStreams(1_000_000);
    sut.onChunk('a@x/r', { streamId: 's', nr: 0, data: b64('early '), last: false });
    const seen: string[] = [];
    let ended = false;
    sut.follow('a@x/r', 's', {
      maxBytes: 1_000,
      timeoutMs: 60_000,
      idle: true,
      onData: (b) => seen.push(b.toString()),
      onEnd: () => (ended = true),
      onError: (e) => seen.push(`error ${e.message}`),
    });
    expect(seen).toEqual(['early ']);
    sut.onChunk('a@x/r', { streamId: 's', nr: 2, data: b64('third'), last: false });
    expect(seen).toEqual(['early ']);
    sut.onChunk('a@x/r', { streamId: 's', nr: 1, data: b64('second '), last: false });
    sut.onChunk('a@x/r', { streamId: 's', nr: 3, data: '', last: true });
    expect(seen).toEqual(['early ', 'second ', 'third', '']);
    expect(ended).toBe(true);
    expect(sut.size).toBe(0);

    const silent = await new Promise<Error>((resolve) =>
      sut.follow('a@x/r', 'quiet', {
        maxBytes: 1_000,
        timeoutMs: 20,
        idle: true,
        onData: () => undefined,
        onEnd: () => resolve(new Error('ended')),
        onError: resolve,
      }),
    );
    expect(silent.message).toMatch(/stayed silent for 20 ms/);
  });

  it('drops a followed stream on request, without further callbacks', () => {
    const sut = new ChunkStreams(1_000_000);
    const seen: string[] = [];
    const drop = sut.follow('a@x/r', 's', {
      maxBytes: 1_000,
      timeoutMs: 60_000,
      idle: true,
      onData: (b) => seen.push(b.toString()),
      onEnd: () => seen.push('end'),
      onError: () => seen.push('error'),
    });
    drop();
    expect(sut.size).toBe(0);
    sut.onChunk('a@x/r', { streamId: 's', nr: 0, data: b64('late'), last: true });
    expect(seen).toEqual([]);
  });
});
