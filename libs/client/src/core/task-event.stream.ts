import type { TaskEvent } from '../wire.js';
import { type CallSite, isSwitchboardError, StreamInterruptedError } from './errors.js';
import { backoffMs } from './retry.policy.js';
import { anySignal, sleep } from './signals.js';
import { readSse, type SseMessage } from './sse.parser.js';
import { pathOf, type Transport } from './transport.js';

/** How a task's event stream comes back after its connection dropped. */
export interface ReconnectOptions {
  /** How long to keep trying after a drop, in ms (default 60,000); 0 never resumes. */
  maxElapsedMs?: number;
  /** The first pause between tries (default 250 ms; the first try after a drop is at once). */
  initialDelayMs?: number;
  /** The longest pause between tries (default 5,000 ms). */
  maxDelayMs?: number;
  /**
   * A connection that carried nothing — not even the gateway's heartbeat (SSE_HEARTBEAT_MS, 15 s by
   * default) — for this long is taken for dead and replaced (default 45,000 ms; 0: never).
   */
  idleTimeoutMs?: number;
}

const DEFAULTS: Required<ReconnectOptions> = {
  maxElapsedMs: 60_000,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  idleTimeoutMs: 45_000,
};

const TERMINAL = new Set([
  'orchestrator.task.completed',
  'orchestrator.task.failed',
  'orchestrator.task.cancelled',
]);

/** Whether an event ends its task's stream (completed, failed or cancelled). */
export const isTerminalEvent = (e: Pick<TaskEvent, 'name'>): boolean => TERMINAL.has(e.name);

/**
 * A task's events, in order, as an async iterator: `for await (const e of stream)`. When the connection
 * drops — the network, a proxy, the gateway restarting — it resumes on its own with `Last-Event-ID`
 * (the seq of the last event it gave you), so you see every event once: none missing, none twice. It
 * ends after the task's terminal event. Leaving the loop (or close()) closes the connection.
 */
export class TaskEventStream implements AsyncIterable<TaskEvent> {
  private last: number;
  private drops = 0;
  private iterated = false;
  private readonly closer = new AbortController();
  private readonly reconnect: Required<ReconnectOptions>;

  /** @internal the route groups open streams; see `client.tasks.stream` and `.events`. */
  constructor(
    private readonly transport: Transport,
    /** The task whose events these are. */
    readonly taskId: string,
    private first: Response | undefined,
    after: number,
    options: { signal?: AbortSignal; reconnect?: ReconnectOptions },
    private readonly signal = options.signal,
  ) {
    this.last = after;
    this.reconnect = { ...DEFAULTS, ...options.reconnect };
  }

  /** The seq of the last event handed out (0 before the first): resume a later stream after it. */
  get lastEventId(): number {
    return this.last;
  }

  /** How many times the stream was resumed after its connection dropped. */
  get resumptions(): number {
    return this.drops;
  }

  /** Stops: the connection closes, and a loop over the stream ends. */
  close(): void {
    this.closer.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<TaskEvent> {
    if (this.iterated) throw new TypeError('a task event stream can be read once');
    this.iterated = true;
    return this.events();
  }

  private async *events(): AsyncGenerator<TaskEvent> {
    // Since the last event that came: when the trouble began, how many tries failed, the last pause.
    const trouble = { since: 0, failures: 0, pause: 0 };
    const waiting = anySignal([this.signal, this.closer.signal]);
    try {
      while (!this.closer.signal.aborted) {
        const idle = new AbortController();
        const linked = anySignal([this.signal, this.closer.signal, idle.signal]);
        let opened = false;
        try {
          const response = this.first ?? (await this.connect(linked.signal));
          this.first = undefined;
          opened = true;
          if (response.status === 204 || !response.body) return; // nothing after the last event
          for await (const event of this.read(response.body, idle, linked.signal)) {
            Object.assign(trouble, { since: 0, failures: 0, pause: 0 });
            yield event;
            if (isTerminalEvent(event)) return;
          }
          throw new Error('the stream ended before its task did'); // a cut connection: resume
        } catch (e) {
          if (this.signal?.aborted) throw this.signal.reason;
          if (this.closer.signal.aborted) return;
          if (!resumable(e)) throw e;
          if (opened) this.drops++;
          if (trouble.failures++ === 0) trouble.since = Date.now();
          trouble.pause = this.pauseAfter(e, trouble);
          if (trouble.pause > 0) await sleep(trouble.pause, waiting.signal).catch(() => undefined);
        } finally {
          linked.dispose();
        }
      }
    } finally {
      waiting.dispose();
    }
  }

  /** The events of one connection that were not handed out yet, in order. */
  private async *read(
    body: ReadableStream<Uint8Array>,
    idle: AbortController,
    signal: AbortSignal,
  ): AsyncGenerator<TaskEvent> {
    const limit = this.reconnect.idleTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      if (limit > 0) timer = setTimeout(() => idle.abort(), limit);
    };
    arm();
    try {
      for await (const message of readSse(body, arm, signal)) {
        const event = eventOf(message);
        if (!event || event.seq <= this.last) continue; // not a task event, or one given already
        this.last = event.seq;
        yield event;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private connect(signal: AbortSignal): Promise<Response> {
    return this.transport.open({
      method: 'GET',
      path: pathOf`tasks/${this.taskId}/events`,
      accept: 'text/event-stream',
      headers: this.last > 0 ? { 'last-event-id': String(this.last) } : {},
      repeatable: false, // this stream's own budget decides when to try again
      signal,
    });
  }

  /**
   * The pause before the next try — none after the first failure since events last came, then
   * backing off, or as the gateway's Retry-After says — or the StreamInterruptedError once the budget
   * is spent.
   */
  private pauseAfter(
    e: unknown,
    trouble: { since: number; failures: number; pause: number },
  ): number {
    const { maxElapsedMs } = this.reconnect;
    const left = trouble.since + maxElapsedMs - Date.now();
    if (left <= 0) {
      const call: CallSite = { method: 'GET', path: `/tasks/${this.taskId}/events` };
      throw new StreamInterruptedError(call, this.taskId, this.last, e);
    }
    const after = isSwitchboardError(e) ? (e as { retryAfterMs?: number }).retryAfterMs : undefined;
    const next = after ?? (trouble.failures === 1 ? 0 : backoffMs(trouble.pause, this.reconnect));
    return Math.min(next, left);
  }
}

/**
 * What may heal by trying again: no answer, a lost or idle connection, the gateway away or busy (503,
 * 502, 504), a stream slot not given back yet (429). A refusal (400, 401, 403, 404) stands.
 */
function resumable(e: unknown): boolean {
  if (!isSwitchboardError(e)) return true; // a read that broke off: the connection is gone
  if (e.code === 'CONNECTION' || e.code === 'CLIENT_TIMEOUT') return true;
  const status = (e as { status?: number }).status;
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** The task event a frame carries (its seq from `id:`), or undefined for any other frame. */
function eventOf(message: SseMessage): TaskEvent | undefined {
  let event: TaskEvent;
  try {
    event = JSON.parse(message.data) as TaskEvent;
  } catch {
    return undefined;
  }
  const seq = Number(message.id ?? event.seq);
  if (!Number.isSafeInteger(seq) || typeof event.name !== 'string') return undefined;
  return seq === event.seq ? event : { ...event, seq };
}
