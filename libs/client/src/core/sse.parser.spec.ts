import { describe, expect, it } from '@jest/globals';
import { readSse, SseParser, type SseMessage } from './sse.parser.js';

const bytes = (chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (const c of chunks)
        controller.enqueue(typeof c === 'string' ? new TextEncoder().encode(c) : c);
      controller.close();
    },
  });

async function all(stream: ReadableStream<Uint8Array>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of readSse(stream)) out.push(m);
  return out;
}

describe(SseParser.name, () => {
  it('reads named events with ids, joins data lines and skips comments (heartbeats)', () => {
    const parser = new SseParser();
    const got = parser.feed(
      ': heartbeat\n\nid: 1\nevent: orchestrator.task.started\ndata: {"a":1}\n\nid: 2\ndata: line one\ndata: line two\n\n',
    );
    expect(got).toEqual([
      { id: '1', event: 'orchestrator.task.started', data: '{"a":1}' },
      { id: '2', event: 'message', data: 'line one\nline two' },
    ]);
  });

  it('takes CR, LF and CRLF line ends, also when a CRLF is split between two chunks', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 7\r\nevent: x\rdata: y\r')).toEqual([]);
    // The LF completes the CR that ended the last chunk: it is not an empty line of its own.
    expect(parser.feed('\n')).toEqual([]);
    expect(parser.feed('\r\n')).toEqual([{ id: '7', event: 'x', data: 'y' }]);
  });

  it('dispatches no event without data, and ignores an id holding NUL', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 3\nevent: nothing\n\nid: 4\0\ndata: z\n\n')).toEqual([
      { id: undefined, event: 'message', data: 'z' },
    ]);
  });
});

describe(readSse.name, () => {
  it('reads an event cut anywhere between chunks, a multi-byte character included', async () => {
    const frame = new TextEncoder().encode('id: 1\ndata: {"text":"17 × 23 ≈ 391"}\n\n');
    const cut = [frame.slice(0, 9), frame.slice(9, 27), frame.slice(27, 28), frame.slice(28)];
    expect(await all(bytes(cut))).toEqual([
      { id: '1', event: 'message', data: '{"text":"17 × 23 ≈ 391"}' },
    ]);
  });

  it('tells of every chunk, heartbeats too, so a quiet stream is told from a dead one', async () => {
    let chunks = 0;
    for await (const _ of readSse(bytes([': hb\n\n', ': hb\n\n', 'data: x\n\n']), () => chunks++)) {
      // read to the end
    }
    expect(chunks).toBe(3);
  });
});
