// Operator tool: watch live NATS traffic of the platform.
//   npm run tail -- [--task <taskId>] [--user <userId>] [--service <name>] [--replies] [--json] [--nats <url>]
// Pretty by default (time, subject, source → user, a short payload); --json prints one JSON object per
// line ({ time, subject, reply, headers, data }) for jq and friends.
// --task follows one task from its start, even when attached late: its stored events first (replayed
// from the task event stream, then followed live, in seq order), plus every other message about it
// (its submission, the tool and agent commands and audit records that carry its taskId).
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import {
  Headers,
  SERVICE_NAMES,
  SUBJECT_ROOT,
  TaskEventStream,
  Tasks,
} from '@switchboard/contracts';
import { openReplay } from '@switchboard/messaging';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    user: { type: 'string' },
    service: { type: 'string' },
    replies: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    nats: { type: 'string', default: process.env['NATS_SERVERS'] ?? 'nats://127.0.0.1:4222' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run tail -- [--task <taskId>] [--user <userId>] [--service <name>] [--replies] [--json] [--nats <url>]',
  );
  process.exit(0);
}
if (values.service && !(SERVICE_NAMES as readonly string[]).includes(values.service)) {
  console.error(`--service must be one of ${SERVICE_NAMES.join(', ')}`);
  process.exit(2);
}
const task = values.task;
if (task !== undefined && !Tasks.TaskId.safeParse(task).success) {
  console.error('--task must be a task id (a UUID, as X-Task-Id and the task links show it)');
  process.exit(2);
}

const nc = await connect({ servers: values.nats.split(','), name: 'switchboard-tail' });
const decoder = new TextDecoder();
const colour = process.stdout.isTTY
  ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m`
  : (_: number, s: string) => s;

interface Seen {
  subject: string;
  reply?: string | undefined;
  headers?: MsgHdrs | undefined;
  data: Uint8Array;
}

/** The payload: Nest's envelope (`{pattern, data}`, `{response}`, `{err}`) unwrapped, text if not JSON. */
function payloadOf(body: Uint8Array): unknown {
  const text = decoder.decode(body);
  try {
    const parsed = JSON.parse(text) as { data?: unknown; response?: unknown; err?: unknown };
    return parsed.data ?? parsed.response ?? parsed.err ?? parsed;
  } catch {
    return text;
  }
}

/** Whether a message (not a task event: those are read from the stream) is about the followed task. */
function aboutTask(m: Msg, data: unknown): boolean {
  if (m.subject.includes(task as string)) return true;
  const taskIdOf = (v: unknown) =>
    v && typeof v === 'object' ? (v as { taskId?: unknown }).taskId : undefined;
  return taskIdOf(data) === task;
}

function show(m: Seen, data: unknown = payloadOf(m.data)): void {
  const source = m.headers?.get(Headers.source) ?? '';
  const user = m.headers?.get(Headers.userId) ?? '';
  if (values.user && user !== values.user) return;
  if (values.service && source !== values.service && !m.subject.includes(`.${values.service}.`))
    return;
  const time = new Date().toISOString();
  if (values.json) {
    const headers = Object.fromEntries(
      (m.headers ? [...m.headers.keys()] : []).map((k) => [k, m.headers?.get(k)]),
    );
    console.log(JSON.stringify({ time, subject: m.subject, reply: m.reply, headers, data }));
    return;
  }
  const body = JSON.stringify(data);
  console.log(
    `${colour(90, time.slice(11, 23))} ${colour(36, m.subject)} ${colour(33, source || '?')}${user ? ` → ${colour(32, user)}` : ''} ${body.length > 240 ? `${body.slice(0, 240)}…` : body}`,
  );
}

// With --task: the inboxes of the task's requests, so that --replies shows their answers only.
const awaited = new Set<string>();

if (task === undefined) {
  nc.subscribe(`${SUBJECT_ROOT}.>`, { callback: (_e, m) => show(m) });
} else {
  const events = Tasks.taskEventsFilter(task);
  nc.subscribe(`${SUBJECT_ROOT}.>`, {
    callback: (_e, m) => {
      if (m.subject.startsWith(events.slice(0, -1))) return; // from the stream below
      const data = payloadOf(m.data);
      if (!aboutTask(m, data)) return;
      if (m.reply) awaited.add(m.reply);
      show(m, data);
    },
  });
  // The task's events in stream order, stored ones first, then live: no gap, no duplicate.
  const { iter: stored } = await openReplay(
    await jetstreamManager(nc),
    jetstream(nc),
    TaskEventStream,
    events,
  );
  void (async () => {
    for await (const m of stored) show(m);
  })();
}
if (values.replies) {
  nc.subscribe('_INBOX.>', {
    callback: (_e, m) => {
      if (task === undefined) return show(m);
      if (!awaited.delete(m.subject)) return;
      show(m);
    },
  });
}
console.error(
  task === undefined
    ? `tailing ${SUBJECT_ROOT}.>${values.replies ? ' and replies' : ''} on ${values.nats} (Ctrl-C to stop)`
    : `tailing task ${task}: its stored and live events, and every message about it${values.replies ? ' with their replies' : ''} on ${values.nats} (Ctrl-C to stop)`,
);
const stop = async () => {
  await nc.drain();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
