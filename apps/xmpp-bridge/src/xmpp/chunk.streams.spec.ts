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
});
