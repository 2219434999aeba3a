// What `switchboard tail` prints for one NATS message: which way it went (a publish, a JetStream
// delivery to a consumer, a reply, or a stored message read back), the message's own time (the `at`
// of an event or audit record; the time it was stored or received only when it has none), and its
// payload with Nest's envelope taken off. Pure, so the format is unit-tested.
import { Headers } from '@switchboard/contracts';

/** A message as the tail receives or reads it. */
export interface Seen {
  subject: string;
  reply?: string | undefined;
  headers?: { keys(): string[]; get(k: string): string } | undefined;
  data: Uint8Array;
}

/**
 * How the message was seen: `publish` (sent on its subject: an event, a request, a JetStream publish),
 * `deliver` (a stream handing a stored message to a consumer; it shows its original subject),
 * `reply` (an answer on a requester's inbox), `stored` (read back from a stream by the tail itself).
 */
export type Kind = 'publish' | 'deliver' | 'reply' | 'stored';

/** Where a JetStream delivery came from, read from its acknowledgement subject. */
export interface Delivery {
  stream: string;
  consumer: string;
  /** 1 on first delivery. */
  attempt: number;
  streamSeq: number;
  /** When the stream stored it. */
  storedAt: string;
}

/** One line of the tail, as `--json` prints it. */
export interface TailLine {
  /** The message's own time: its payload's `at` (or `submittedAt`), else stored or received. */
  time: string;
  /** Where `time` comes from. */
  timeOf: 'message' | 'stream' | 'received';
  /** When the tail received it. */
  received: string;
  kind: Kind;
  subject: string;
  reply?: string;
  delivery?: Delivery;
  headers: Record<string, string>;
  data: unknown;
}

const decoder = new TextDecoder();

/** The payload: Nest's envelope (`{pattern, data}`, `{response}`, `{err}`) unwrapped, text if not JSON. */
export function payloadOf(body: Uint8Array): unknown {
  const text = decoder.decode(body);
  try {
    const parsed = JSON.parse(text) as { data?: unknown; response?: unknown; err?: unknown };
    if (parsed === null || typeof parsed !== 'object') return parsed;
    return parsed.data ?? parsed.response ?? parsed.err ?? parsed;
  } catch {
    return text;
  }
}

/**
 * A JetStream delivery's origin, from its reply subject (`$JS.ACK.<stream>.<consumer>.<delivered>.
 * <stream seq>.<consumer seq>.<nanos>.<pending>`, or the newer form with a domain and an account hash
 * after `ACK`). Undefined for any other reply.
 */
export function deliveryOf(reply: string | undefined): Delivery | undefined {
  const t = reply?.split('.') ?? [];
  if (t[0] !== '$JS' || t[1] !== 'ACK') return undefined;
  // v1: 9 tokens; v2: $JS.ACK.<domain>.<account hash>.<stream>.… with 12 or more
  const at = t.length === 9 ? 2 : t.length >= 12 ? 4 : -1;
  if (at < 0) return undefined;
  const [stream, consumer, attempt, streamSeq, , nanos] = t.slice(at);
  if (!stream || !consumer || !/^\d+$/.test(nanos ?? '')) return undefined;
  const storedMs = Number(BigInt(nanos ?? '0') / 1_000_000n);
  return {
    stream,
    consumer,
    attempt: Number(attempt),
    streamSeq: Number(streamSeq),
    storedAt: new Date(storedMs).toISOString(),
  };
}

/**
 * How a message was seen, from the subscription it came on: on the platform's subjects it is a publish
 * (unless a stream delivers there); on the inboxes (`--replies`), a reply when its subject is the
 * inbox, else a JetStream delivery, which keeps the subject it was stored on.
 */
export function kindOf(m: Seen, via: 'subjects' | 'inboxes'): Kind {
  if (deliveryOf(m.reply)) return 'deliver';
  if (via === 'subjects') return 'publish';
  return m.subject.split('.')[0] === '_INBOX' ? 'reply' : 'deliver';
}

const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** The time a payload says it happened: `at` (events, audit records), else `submittedAt` (a task). */
export function ownTimeOf(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const { at, submittedAt } = data as { at?: unknown; submittedAt?: unknown };
  if (isTime(at)) return new Date(at).toISOString();
  if (isTime(submittedAt)) return new Date(submittedAt).toISOString();
  return undefined;
}

/** The line for `m`: its kind, own time (else `storedAt`, else `received`), headers and payload. */
export function toLine(
  m: Seen,
  kind: Kind,
  received: Date,
  data: unknown = payloadOf(m.data),
  storedAt?: Date,
): TailLine {
  const delivery = kind === 'deliver' ? deliveryOf(m.reply) : undefined;
  const own = ownTimeOf(data);
  const stored = storedAt?.toISOString() ?? delivery?.storedAt;
  const headers = Object.fromEntries(
    (m.headers ? m.headers.keys() : []).map((k) => [k, m.headers?.get(k) ?? '']),
  );
  return {
    time: own ?? stored ?? received.toISOString(),
    timeOf: own ? 'message' : stored ? 'stream' : 'received',
    received: received.toISOString(),
    kind,
    subject: m.subject,
    ...(m.reply ? { reply: m.reply } : {}),
    ...(delivery ? { delivery } : {}),
    headers,
    data,
  };
}

export type Colour = (code: number, s: string) => string;
export const noColour: Colour = (_code, s) => s;

/** The largest payload a pretty line shows, in characters. */
const SHOWN = 240;

/**
 * A pretty line: `<time> <kind> <subject> <source> → <user> <payload>`, the time the message's own
 * (HH:MM:SS.mmm, UTC; `~` before it when only the receive time was known), a delivery with its stream,
 * consumer and attempt, and the payload cut at 240 characters.
 */
export function formatLine(line: TailLine, colour: Colour = noColour): string {
  const source = line.headers[Headers.source] ?? '';
  const user = line.headers[Headers.userId] ?? '';
  const time = `${line.timeOf === 'received' ? '~' : ' '}${line.time.slice(11, 23)}`;
  const kind = line.kind.padEnd(7);
  const via = line.delivery
    ? ` [${line.delivery.stream} → ${line.delivery.consumer}${line.delivery.attempt > 1 ? ` #${line.delivery.attempt}` : ''}]`
    : '';
  const body = JSON.stringify(line.data) ?? '';
  return [
    colour(90, time),
    colour(line.kind === 'publish' ? 35 : line.kind === 'deliver' ? 34 : 90, kind),
    `${colour(36, line.subject)}${via}`,
    `${colour(33, source || '?')}${user ? ` → ${colour(32, user)}` : ''}`,
    body.length > SHOWN ? `${body.slice(0, SHOWN)}…` : body,
  ].join(' ');
}
