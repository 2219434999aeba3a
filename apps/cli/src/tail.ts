// `switchboard tail`: live NATS traffic of the platform, or one task's (`--task`), as compact lines or
// JSON lines. Every line says which way the message went (publish, deliver, reply, stored) and when it
// happened by its own clock (an event's or audit record's `at`).
// --task follows one task from its start, even when attached late: its stored events and audit records
// (SB_AUDIT, and SB_AUDIT_CHAINED for those relayed from the orchestrator's journal) first (read from
// their streams one by one, then followed live: events in seq order, records each
// once), plus every other message about it — its submission, its tool calls
// (sb.cmd.tools.call.<taskId>) and whatever else names it or carries its taskId.
// It only reads, through the messaging library's TrafficTap (guarded subscriptions, stored messages
// read one by one): the operator identity may subscribe and read stored messages, and publishes nothing.
import {
  Audit,
  AuditChainedStream,
  AuditStream,
  describeSubject,
  Headers,
  PLATFORM_TRAFFIC_PATTERN,
  TaskEventStream,
  Tasks,
} from '@switchboard/contracts';
import type { BusMessage, BusSubscription, TrafficTap } from '@switchboard/messaging';
import type { TailCommand } from './args.js';
import {
  type Colour,
  formatLine,
  type Kind,
  kindOf,
  payloadOf,
  type ReplyContext,
  type Seen,
  toLine,
} from './tail-format.js';

/** What the tail reads through: the operator's TrafficTap. */
export type TailSource = Pick<TrafficTap, 'subscribeRaw' | 'storedMessages' | 'flush'>;

export interface TailOutput {
  /** One line of traffic (stdout). */
  line(text: string): void;
  /** What the tail says about itself (stderr). */
  info(text: string): void;
  colour?: Colour;
  /** The terminal's width, when printing to one. */
  width?: number;
}

/** The replies of every requester (the operator may read them all). */
const INBOXES = '_INBOX.>';

/** The most requests whose replies the tail waits for at once (the oldest are forgotten first). */
const REQUESTS_REMEMBERED = 10_000;

/**
 * Whether a message is about `task`: its subject names it (a tool call's, an audit record's last token,
 * a cancellation's…) or its payload carries it as `taskId`.
 */
function isAbout(task: string, subject: string, data: unknown): boolean {
  if (describeSubject(subject).taskId === task || subject.split('.').includes(task)) return true;
  const taskId =
    data && typeof data === 'object' ? (data as { taskId?: unknown }).taskId : undefined;
  return taskId === task;
}

const fieldOf = (data: unknown, key: string): unknown =>
  data && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;

/**
 * What one message says, one entry per line: the events of a stored task-event batch each on their own
 * line (with their own seq and time), anything else as it is.
 */
function entriesOf(subject: string, data: unknown): unknown[] {
  // Shown as it is, valid or not: an operator wants to see what is on the wire.
  const events =
    describeSubject(subject).kind === 'task-event' ? fieldOf(data, 'events') : undefined;
  return Array.isArray(events) ? events : [data];
}

/**
 * One tenant's traffic, as its operator sees it: its task events and audit records, the subjects
 * naming the tenant (Tasks.tenantTaskEventsFilter, Audit.tenantAuditFilter) — all that identity may read.
 */
async function followTenant(
  source: TailSource,
  tenant: string,
  show: (m: BusMessage, kind: Kind, entry: unknown) => void,
): Promise<void> {
  for (const filter of [
    Tasks.tenantTaskEventsFilter(tenant),
    Audit.tenantAuditFilter(tenant),
    // the records a service relayed from its journal, announced once chained
    Audit.tenantChainedAuditFilter(tenant),
  ]) {
    await needed(
      source.subscribeRaw(filter, (m) => {
        const kind = kindOf(m, 'subjects');
        for (const entry of entriesOf(m.subject, payloadOf(m.data))) show(m, kind, entry);
      }),
    );
  }
}

/** Rejects when the server refused a subscription the tail cannot do without. */
async function needed(sub: BusSubscription): Promise<void> {
  try {
    await sub.ready;
  } catch {
    throw new Error(
      `cannot tail without ${sub.subject}: this NATS identity may not read it (docs/operations.md, "NATS identities")`,
    );
  }
}

/**
 * Subscribes as `cmd` says and prints until the connection closes. Resolves once subscribed (and, with
 * `--task`, once the task's stored events are printed), having said so on `out.info`; rejects when the
 * server refuses the platform's subjects to this identity.
 */
// eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
export async function tail(
  source: TailSource,
  cmd: TailCommand,
  out: TailOutput,
  where: string,
): Promise<void> {
  const task = cmd.task;
  // The requests seen, by reply subject: who was asked, for which task (the replies' route and task;
  // with --task, only the replies to the task's own requests are shown).
  const requests = new Map<string, ReplyContext>();

  function show(m: Seen, kind: Kind, data: unknown = payloadOf(m.data), storedAt?: Date): void {
    const line = toLine(m, kind, new Date(), data, storedAt);
    const user = line.headers[Headers.userId] ?? '';
    const sender = line.headers[Headers.source] ?? '';
    if (cmd.user && user !== cmd.user) return;
    if (cmd.service && sender !== cmd.service && describeSubject(m.subject).service !== cmd.service)
      return;
    if (cmd.json) return out.line(JSON.stringify(line));
    const reply = kind === 'reply' ? requests.get(m.subject) : undefined;
    out.line(
      formatLine(line, {
        ...(out.colour ? { colour: out.colour } : {}),
        ...(out.width ? { width: out.width } : {}),
        ...(reply ? { reply } : {}),
      }),
    );
  }

  /** Remembers a request (not a JetStream delivery, whose reply is an acknowledgement) for its reply. */
  function remember(m: BusMessage, kind: Kind, data: unknown): void {
    if (!cmd.replies || !m.reply || kind !== 'publish') return;
    const { service, taskId } = describeSubject(m.subject);
    const about = taskId ?? fieldOf(data, 'taskId');
    requests.set(m.reply, {
      ...(service ? { responder: service } : {}),
      ...(typeof about === 'string' ? { taskId: about } : {}),
    });
    const oldest = requests.keys().next();
    if (requests.size > REQUESTS_REMEMBERED && !oldest.done) requests.delete(oldest.value);
  }

  /**
   * Reads the messages of `stream` on `filter` one by one, in stream order, each to `each`. Says so
   * when the stream cannot be read.
   */
  async function replay(
    stream: string,
    filter: string,
    what: string,
    each: (m: Seen, storedAt: Date) => void,
  ): Promise<void> {
    try {
      for await (const stored of source.storedMessages(stream, filter)) each(stored, stored.time);
    } catch (e) {
      out.info(
        `the task's stored ${what} could not be read (${(e as Error).message}); live ones follow`,
      );
    }
  }

  /**
   * One task from its start: its events in seq order without gap or duplicate, and its audit records
   * each once. What arrives live is held while the stored ones are read (task events, then audit
   * records), then shown after them.
   */
  async function followTask(task: string): Promise<void> {
    const events = Tasks.taskEventsFilter(task);
    // what every subject of the task's events starts with (`sb.evt.task.<taskId>.`)
    const eventPrefix = events.slice(0, events.indexOf(task) + task.length + 1);
    let lastSeq = 0;
    const recordsShown = new Set<string>();
    let held: { m: BusMessage; kind: Kind }[] | undefined = [];
    /** Each task event once (by seq), each audit record once (by id); the rest as it comes. */
    const showOnce = (m: Seen, kind: Kind, storedAt?: Date) => {
      for (const data of entriesOf(m.subject, payloadOf(m.data)))
        showEntry(m, kind, data, storedAt);
    };
    const showEntry = (m: Seen, kind: Kind, data: unknown, storedAt?: Date) => {
      if (kind !== 'deliver' && m.subject.startsWith(eventPrefix)) {
        const seq = fieldOf(data, 'seq');
        if (typeof seq === 'number') {
          if (seq <= lastSeq) return;
          lastSeq = seq;
        }
      } else if (kind !== 'deliver' && describeSubject(m.subject).kind === 'audit') {
        const id = fieldOf(data, 'id');
        if (typeof id === 'string') {
          if (recordsShown.has(id)) return;
          recordsShown.add(id);
        }
      }
      show(m, kind, data, storedAt);
    };
    await needed(
      source.subscribeRaw(PLATFORM_TRAFFIC_PATTERN, (m) => {
        const kind = kindOf(m, 'subjects');
        const data = payloadOf(m.data);
        if (!m.subject.startsWith(eventPrefix) && !isAbout(task, m.subject, data)) return;
        remember(m, kind, data);
        if (held) held.push({ m, kind });
        else showOnce(m, kind);
      }),
    );
    await replay(TaskEventStream.name, events, 'events', (m, at) => showOnce(m, 'stored', at));
    await replay(AuditStream.name, Audit.auditRecordsFilter(task), 'audit records', (m, at) =>
      showOnce(m, 'stored', at),
    );
    // the records the orchestrator journaled with the task and relayed, as announced once chained
    await replay(
      AuditChainedStream.name,
      Audit.chainedRecordsFilter(task),
      'relayed audit records',
      (m, at) => showOnce(m, 'stored', at),
    );
    const live = held;
    held = undefined;
    for (const { m, kind } of live) showOnce(m, kind);
  }

  if (cmd.tenant !== undefined) {
    await followTenant(source, cmd.tenant, (m, kind, entry) => show(m, kind, entry));
    await source.flush();
    out.info(
      `tailing tenant ${cmd.tenant}: its task events and audit records as they happen on ${where} (Ctrl-C to stop)`,
    );
    return;
  }
  if (task === undefined) {
    await needed(
      source.subscribeRaw(PLATFORM_TRAFFIC_PATTERN, (m) => {
        const kind = kindOf(m, 'subjects');
        const data = payloadOf(m.data);
        remember(m, kind, data);
        for (const entry of entriesOf(m.subject, data)) show(m, kind, entry);
      }),
    );
  } else {
    await followTask(task);
  }
  if (cmd.replies) {
    const replies = source.subscribeRaw(INBOXES, (m) => {
      const kind = kindOf(m, 'inboxes');
      if (kind === 'reply') {
        // with --task, only the answers to the task's own requests
        if (task === undefined || requests.has(m.subject)) show(m, kind);
        requests.delete(m.subject);
        return;
      }
      // a delivery keeps its stored subject: the task's when it is about the task
      const data = payloadOf(m.data);
      if (task === undefined || isAbout(task, m.subject, data)) show(m, kind, data);
    });
    // Without the replies the tail still shows the rest (the refusal is said by the tap's observer).
    await replies.ready.catch(() => undefined);
  }
  await source.flush();
  out.info(
    task === undefined
      ? `tailing ${PLATFORM_TRAFFIC_PATTERN}${cmd.replies ? ' and replies' : ''} on ${where} (Ctrl-C to stop)`
      : `tailing task ${task}: its stored and live events, and every message about it${cmd.replies ? ' with their replies' : ''} on ${where} (Ctrl-C to stop)`,
  );
}
