/** One Server-Sent Event as the stream carried it. */
export interface SseMessage {
  /** `event:` (`message` when the event named none). */
  event: string;
  /** `id:` of this event, when it had one. */
  id: string | undefined;
  /** `data:` lines, joined with line feeds. */
  data: string;
}

/**
 * Parses Server-Sent Events as the HTML standard says (lines ending in CR, LF or CRLF, also across
 * chunks; `data` lines joined; comments and `retry` ignored; an event without data not dispatched).
 * Feed it text in any chunks; it hands back the events each chunk completed.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private hasId = false;

  feed(text: string): SseMessage[] {
    const out: SseMessage[] = [];
    if (text === '') return out;
    let chunk = text;
    // A CR that ended the last chunk already ended its line: a LF right after it belongs to it.
    if (this.pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCr = false;
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      if (m[0] === '\r' && m.index === this.buffer.length - 1) {
        this.pendingCr = true;
      }
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
      this.hasId = true;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const message =
      this.data.length > 0
        ? {
            event: this.event || 'message',
            id: this.hasId ? this.id : undefined,
            data: this.data.join('\n'),
          }
        : undefined;
    this.data = [];
    this.event = '';
    this.id = undefined;
    this.hasId = false;
    return message;
  }
}

/**
 * The events of a response body, one at a time, until it ends — or `signal` aborts, which ends it too.
 * `onActivity` hears every chunk — heartbeat comments too — so a caller can tell a quiet stream from a
 * dead connection.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  onActivity: () => void = () => undefined,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const stop = () => void reader.cancel(signal?.reason).catch(() => undefined);
  if (signal?.aborted) stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onActivity();
      for (const message of parser.feed(decoder.decode(value, { stream: true }))) yield message;
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    // Leaving early (a break, an error) closes the connection: the gateway frees the stream at once.
    reader.cancel().catch(() => undefined);
  }
}
