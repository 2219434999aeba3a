// `switchboard tail`: live NATS traffic of the platform, or one task's (`--task`), as pretty lines or
// JSON lines. Every line says which way the message went (publish, deliver, reply, stored) and when it
// happened by its own clock (an event's or audit record's `at`).
// --task follows one task from its start, even when attached late: its stored events and audit records
// first (read from their streams one by one, then followed live: events in seq order, records each
// once), plus every other message about it — its submission, its tool calls
// (sb.cmd.tools.call.<taskId>) and whatever else names it or carries its taskId.
// It only reads: the operator identity may subscribe and read stored messages, and publishes nothing.
import { jetstreamManager, type MsgRequest, type NextMsgRequest } from '@nats-io/jetstream';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import {
  Audit,
  AuditStream,
  describeSubject,
  Headers,
  SUBJECT_ROOT,
  TaskEventStream,
  Tasks,
} from '@switchboard/contracts';
import type { TailCommand } from './args.js';
import {
  type Colour,
  formatLine,
  type Kind,
  kindOf,
  noColour,
  payloadOf,
  type Seen,
  toLine,
} from './tail-format.js';

export interface TailOutput {
  /** One line of traffic (stdout). */
  line(text: string): void;
  /** What the tail says about itself (stderr). */
  info(text: string): void;
  colour?: Colour;
}

/** The replies of every requester (the operator may read them all). */
const INBOXES = '_INBOX.>';

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

/** The per-task sequence number of a task event (its payload's `seq`). */
const seqOf = (data: unknown) =>
  data && typeof data === 'object' ? (data as { seq?: unknown }).seq : undefined;

/**
 * Subscribes as `cmd` says and prints until the connection closes. Resolves once subscribed (and, with
 * `--task`, once the task's stored events are printed), having said so on `out.info`.
 */
export async function tail(
  nc: NatsConnection,
  cmd: TailCommand,
  out: TailOutput,
  where: string,
): Promise<void> {
  const colour = out.colour ?? noColour;
  const task = cmd.task;

  function show(m: Seen, kind: Kind, data: unknown = payloadOf(m.data), storedAt?: Date): void {
    const line = toLine(m, kind, new Date(), data, storedAt);
    const user = line.headers[Headers.userId] ?? '';
    const source = line.headers[Headers.source] ?? '';
    if (cmd.user && user !== cmd.user) return;
    if (cmd.service && source !== cmd.service && describeSubject(m.subject).service !== cmd.service)
      return;
    out.line(cmd.json ? JSON.stringify(line) : formatLine(line, colour));
  }

  // What the server refuses (a subscription this identity may not make) is said, not swallowed.
  void (async () => {
    for await (const s of nc.status())
      if (s.type === 'error') out.info(`NATS refused: ${s.error.message}`);
  })();

  /**
   * Reads the messages of `stream` on `filter` one by one, in stream order (no consumer: reading is
   * all the operator may do), each to `each`. Says so when the stream cannot be read.
   */
  async function replay(
    stream: string,
    filter: string,
    what: string,
    each: (m: Seen, storedAt: Date) => void,
  ): Promise<void> {
    try {
      const jsm = await jetstreamManager(nc);
      for (let seq = 1; ;) {
        // MSG.GET takes next_by_subj since nats-server 2.9; the client's type names only its other forms.
        const next: NextMsgRequest = { seq, next_by_subj: filter };
        const stored = await jsm.streams.getMessage(stream, next as unknown as MsgRequest);
        if (!stored) break;
        each({ subject: stored.subject, headers: stored.header, data: stored.data }, stored.time);
        seq = stored.seq + 1;
      }
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
    const eventPrefix = events.slice(0, -1);
    let lastSeq = 0;
    const recordsShown = new Set<string>();
    let held: { m: Msg; kind: Kind }[] | undefined = [];
    /** Each task event once (by seq), each audit record once (by id); the rest as it comes. */
    const showOnce = (m: Seen, kind: Kind, storedAt?: Date) => {
      const data = payloadOf(m.data);
      if (kind !== 'deliver' && m.subject.startsWith(eventPrefix)) {
        const seq = seqOf(data);
        if (typeof seq === 'number') {
          if (seq <= lastSeq) return;
          lastSeq = seq;
        }
      } else if (kind !== 'deliver' && describeSubject(m.subject).kind === 'audit') {
        const id = data && typeof data === 'object' ? (data as { id?: unknown }).id : undefined;
        if (typeof id === 'string') {
          if (recordsShown.has(id)) return;
          recordsShown.add(id);
        }
      }
      show(m, kind, data, storedAt);
    };
    nc.subscribe(`${SUBJECT_ROOT}.>`, {
      callback: (_e, m) => {
        const kind = kindOf(m, 'subjects');
        if (!m.subject.startsWith(eventPrefix) && !isAbout(task, m.subject, payloadOf(m.data)))
          return;
        if (m.reply && kind === 'publish') awaited.add(m.reply);
        if (held) held.push({ m, kind });
        else showOnce(m, kind);
      },
    });
    await nc.flush();
    await replay(TaskEventStream.name, events, 'events', (m, at) => showOnce(m, 'stored', at));
    await replay(AuditStream.name, Audit.auditRecordsFilter(task), 'audit records', (m, at) =>
      showOnce(m, 'stored', at),
    );
    const live = held;
    held = undefined;
    for (const { m, kind } of live) showOnce(m, kind);
  }

  // With --task: the inboxes of the task's requests, so that --replies shows their answers only.
  const awaited = new Set<string>();

  if (task === undefined) {
    nc.subscribe(`${SUBJECT_ROOT}.>`, { callback: (_e, m) => show(m, kindOf(m, 'subjects')) });
  } else {
    await followTask(task);
  }
  if (cmd.replies) {
    nc.subscribe(INBOXES, {
      callback: (_e, m) => {
        const kind = kindOf(m, 'inboxes');
        if (task === undefined) return show(m, kind);
        if (kind === 'reply') {
          if (awaited.delete(m.subject)) show(m, kind);
          return;
        }
        // a delivery keeps its stored subject: the task's when it is about the task
        const data = payloadOf(m.data);
        if (isAbout(task, m.subject, data)) show(m, kind, data);
      },
    });
  }
  await nc.flush();
  out.info(
    task === undefined
      ? `tailing ${SUBJECT_ROOT}.>${cmd.replies ? ' and replies' : ''} on ${where} (Ctrl-C to stop)`
      : `tailing task ${task}: its stored and live events, and every message about it${cmd.replies ? ' with their replies' : ''} on ${where} (Ctrl-C to stop)`,
  );
}
