// Operator tool: watch live NATS traffic of the platform.
//   npm run tail -- [--task <taskId>] [--user <userId>] [--service <name>] [--replies] [--json] [--nats <url>]
// Pretty by default (time, subject, source → user, a short payload); --json prints one JSON object per
// line ({ time, subject, reply, headers, data }) for jq and friends.
import { connect, type Msg } from '@nats-io/transport-node';
import { Headers, SERVICE_NAMES, SUBJECT_ROOT, Tasks } from '@switchboard/contracts';
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

const filter = values.task ? Tasks.taskEventsFilter(values.task) : `${SUBJECT_ROOT}.>`;
const nc = await connect({ servers: values.nats.split(','), name: 'switchboard-tail' });
const decoder = new TextDecoder();
const colour = process.stdout.isTTY
  ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m`
  : (_: number, s: string) => s;

function show(m: Msg): void {
  const source = m.headers?.get(Headers.source) ?? '';
  const user = m.headers?.get(Headers.userId) ?? '';
  if (values.user && user !== values.user) return;
  if (values.service && source !== values.service && !m.subject.includes(`.${values.service}.`))
    return;
  let data: unknown = decoder.decode(m.data);
  try {
    const parsed = JSON.parse(data as string) as {
      data?: unknown;
      response?: unknown;
      err?: unknown;
    };
    data = parsed.data ?? parsed.response ?? parsed.err ?? parsed;
  } catch {
    /* not JSON: print as text */
  }
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

nc.subscribe(filter, { callback: (_e, m) => show(m) });
if (values.replies) nc.subscribe('_INBOX.>', { callback: (_e, m) => show(m) });
console.error(
  `tailing ${filter}${values.replies ? ' and replies' : ''} on ${values.nats} (Ctrl-C to stop)`,
);
const stop = async () => {
  await nc.drain();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
