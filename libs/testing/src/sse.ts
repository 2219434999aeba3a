import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Reads a fetch Response body as Server-Sent Events (spec-compliant parsing via eventsource-parser). */
export async function* readSse(response: Response): AsyncGenerator<SseEvent> {
  if (!response.body) return;
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) =>
      queue.push({ event: m.event ?? 'message', id: m.id, data: m.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length) yield queue.shift() as SseEvent;
  }
}

/** Collects every SSE event until the stream ends. */
export async function collectSse(response: Response): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of readSse(response)) out.push(e);
  return out;
}
