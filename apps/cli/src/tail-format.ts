// What `switchboard tail` prints for one NATS message: which way it went (a publish, a JetStream
// delivery to a consumer, a reply, or a stored message read back), the message's own time (the `at`
// of an event or audit record; the time it was stored or received only when it has none), and its
// payload with Nest's envelope taken off — as one JSON object (`--json`, for scripts) or as a compact,
// aligned line for people. Pure, so the format is unit-tested.
import {
  auditRecorderOf,
  describeSubject,
  Headers,
  NATS_IDENTITIES,
  type TrafficKind,
} from '@switchboard/contracts';
import { cut, summarize, reply } from './tail-summary.js';

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
export const ansi: Colour = (code, s) => `\x1b[${code}m${s}\x1b[0m`;

/**
 * Whether lines are coloured: as `--color` / `--no-color` say, else not when NO_COLOR is set (and not
 * empty, no-color.org) or the terminal is dumb, else only on a terminal.
 */
export function colourWanted(o: {
  flag: boolean | undefined;
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): boolean {
  if (o.flag !== undefined) return o.flag;
  if (o.env['NO_COLOR'] || o.env['TERM'] === 'dumb') return false;
  return o.isTTY;
}

/** What the tail knows of a reply from the request it saw: who was asked, for which task. */
export interface ReplyContext {
  responder?: string;
  taskId?: string;
}

export interface FormatOptions {
  colour?: Colour;
  /** The terminal's width: the summary is cut to fit it (else at SUMMARY_MAX characters). */
  width?: number;
  /** For a reply, what its request said. */
  reply?: ReplyContext;
}

/** The longest summary of a line without a known width, in characters. */
const SUMMARY_MAX = 100;
/** Width of the route column (`orchestrator → mcp-tools`); a longer route pushes the summary. */
const ROUTE_WIDTH = 24;

const LABEL: Record<TrafficKind, string> = {
  command: 'command',
  'task-submission': 'submit',
  'task-event': 'event',
  event: 'event',
  control: 'control',
  audit: 'audit',
  health: 'health',
  'dead-letter': 'dlq',
  other: 'other',
};

const LABEL_COLOUR: Record<string, number> = {
  command: 35,
  submit: 32,
  event: 34,
  audit: 33,
  control: 31,
  dlq: 31,
};

const fieldOf = (data: unknown, key: string): string | undefined => {
  const v = data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v ? v : undefined;
};

/** The identity whose inbox a reply went to (`_INBOX.<identity>.…`). */
function requesterOf(subject: string): string | undefined {
  const identity = subject.split('.')[1] ?? '';
  return (NATS_IDENTITIES as readonly string[]).includes(identity) ? identity : undefined;
}

/** Who sent it, and to whom: `source → service` for a request, `stream → consumer` for a delivery. */
export function routeOf(line: TailLine, context: ReplyContext = {}): string {
  if (line.delivery) {
    const { stream, consumer, attempt } = line.delivery;
    return `${stream} → ${consumer}${attempt > 1 ? ` #${attempt}` : ''}`;
  }
  const { kind, service } = describeSubject(line.subject);
  const source =
    auditRecorderOf(kind, line.data) ||
    line.headers[Headers.source] ||
    fieldOf(line.data, 'source');
  if (line.kind === 'reply') {
    const requester = requesterOf(line.subject);
    return requester || context.responder
      ? `${context.responder ?? '?'} → ${requester ?? '?'}`
      : '';
  }
  if (kind === 'command' || kind === 'health') return `${source ?? '?'} → ${service ?? '?'}`;
  return source ?? '';
}

/** The first 8 characters of the task the message is about, or `-`. */
export function shortTaskOf(line: TailLine, context: ReplyContext = {}): string {
  const task =
    describeSubject(line.subject).taskId ?? fieldOf(line.data, 'taskId') ?? context.taskId;
  return task ? task.slice(0, 8) : '-';
}

/**
 * A compact, aligned line for people: `<time> <task> <kind> <route> <summary>` — the message's own time
 * (HH:MM:SS.mmm, UTC; `~` before it when only the receive time was known), the first 8 characters of
 * its task, what it is (command, reply, event, audit, submit, control, health, dlq, deliver), who sent
 * it to whom, and what it says in one line (tail-summary.ts), `(stored)` when read back from a stream.
 */
export function formatLine(line: TailLine, opts: FormatOptions = {}): string {
  const colour = opts.colour ?? noColour;
  const paint = (code: number, text: string) => (text ? colour(code, text) : '');
  const context = opts.reply ?? {};
  const time = `${line.timeOf === 'received' ? '~' : ' '}${line.time.slice(11, 23)}`;
  const label =
    line.kind === 'reply' || line.kind === 'deliver'
      ? line.kind
      : LABEL[describeSubject(line.subject).kind];
  const task = shortTaskOf(line, context).padEnd(8);
  const kind = label.padEnd(7);
  const route = routeOf(line, context).padEnd(ROUTE_WIDTH);
  const summary = line.kind === 'reply' ? reply(line.data) : summarize(line.subject, line.data);
  const tag = line.kind === 'stored' ? ' (stored)' : '';
  const room = opts.width
    ? Math.max(24, opts.width - [time, task, kind, route].join(' ').length - 1 - tag.length)
    : SUMMARY_MAX;
  const text = cut(summary.rest ? `${summary.head} ${summary.rest}` : summary.head, room);
  const head = text.slice(0, Math.min(summary.head.length, text.length));
  return [
    paint(90, time),
    paint(36, task),
    paint(LABEL_COLOUR[label] ?? 90, kind),
    paint(33, route),
    `${paint(summary.failed ? 31 : 1, head)}${text.slice(head.length)}${paint(90, tag)}`,
  ].join(' ');
}
