import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { errorOf } from './http.client';

export interface SseOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Sent as `Last-Event-ID`: the stream resumes after this event. */
  lastEventId?: string;
  onMessage: (m: EventSourceMessage) => void;
}

/**
 * Reads a Server-Sent Events stream with fetch (an EventSource cannot send the user's Authorization
 * header, nor a Last-Event-ID of the page's choosing). Resolves when the server ends the stream — `204`
 * included (nothing more will come); rejects with the API's error for a refused request.
 */
export async function readSse(url: string, o: SseOptions): Promise<{ status: number }> {
  const response = await fetch(url, {
    headers: {
      accept: 'text/event-stream',
      ...o.headers,
      ...(o.lastEventId ? { 'last-event-id': o.lastEventId } : {}),
    },
    signal: o.signal,
    cache: 'no-store',
  });
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204 || !response.body) return { status: response.status };
  const parser = createParser({ onEvent: o.onMessage });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } finally {
    reader.releaseLock();
  }
  return { status: response.status };
}
