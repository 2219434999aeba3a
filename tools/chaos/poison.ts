import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DeadLetterStream, type StreamContract } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';

/** What a poison message is made of: not JSON at all, or JSON that no contract accepts. */
const POISONS = [
  { kind: 'not JSON', body: (_subject: string) => '{"poison": ' },
  {
    kind: 'invalid payload',
    body: (subject: string) => JSON.stringify({ pattern: subject, data: { poison: true } }),
  },
] as const;

interface Poisoned {
  durable: string;
  kind: string;
  subject: string;
  seq: number;
  /** Every durable whose filter takes the subject (two durables may read the same events). */
  readers: string[];
}

/** How the services' logs are read: the number of lines saying `subject` was dead-lettered. */
export type DeadLetterLines = (subject: string) => number;

/**
 * Poison messages on every durable consumer of `stream` (found on the server, so a consumer added to
 * the code is covered too): each must be dead-lettered exactly once by every durable that reads it
 * and then left alone — no longer pending on any of them soon after, one entry in SB_DEAD_LETTERS and
 * one "message dead-lettered" line per reading durable.
 * Returns what went wrong, in words.
 */
export async function poisonStream(
  natsUrl: string,
  stream: StreamContract,
  deadLetterLines: DeadLetterLines,
): Promise<string[]> {
  const nc = await connect({ servers: natsUrl, name: 'chaos-poison' });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const findings: string[] = [];
    const targets: { durable: string; kind: (typeof POISONS)[number]['kind']; subject: string }[] =
      [];
    let ackWaitMs = 0;
    const durables = new Map<string, string>();
    for await (const ci of jsm.consumers.list(stream.name)) {
      // Ephemeral consumers (replays) come and go; a durable is listed once even across pages.
      if (!ci.config.durable_name || durables.has(ci.config.durable_name)) continue;
      const filter = ci.config.filter_subject ?? stream.subjects[0] ?? '';
      durables.set(ci.config.durable_name, filter);
      ackWaitMs = Math.max(ackWaitMs, (ci.config.ack_wait ?? 30e9) / 1e6);
      for (const p of POISONS)
        targets.push({
          durable: ci.config.durable_name,
          kind: p.kind,
          subject: subjectFor(filter),
        });
    }
    // The log lines already there (an earlier poison of the same subject), before any is sent.
    const before = new Map(targets.map((t) => [t.subject, deadLetterLines(t.subject)]));
    const poisoned: Poisoned[] = [];
    for (const t of targets) {
      const ack = await js.publish(t.subject, bodyOf(t), { msgID: randomUUID() });
      const readers = [...durables].filter(([, f]) => subjectMatches(f, t.subject)).map(([d]) => d);
      poisoned.push({ ...t, seq: ack.seq, readers });
    }
    if (!poisoned.length) return [`${stream.name} has no durable consumer to poison`];
    // A consumer busy with the load's backlog (a work queue delivers in order) reaches the poison
    // late: its ack wait counts from the first delivery, not from the publish.
    const undelivered = await waitFor(
      async () => {
        const left = await undeliveredOf(jsm, stream, poisoned);
        return left.length === 0 ? ([] as Poisoned[]) : undefined;
      },
      { timeoutMs: DELIVERY_TIMEOUT_MS, intervalMs: 250, what: 'poison delivered' },
    ).catch(() => undeliveredOf(jsm, stream, poisoned));
    for (const p of undelivered)
      findings.push(
        `${stream.name} ${p.durable} (${p.kind}): not delivered to its consumer within ${DELIVERY_TIMEOUT_MS / 1000} s`,
      );
    // Dead-lettered and acknowledged at once, or it comes back after every ack wait: give it one.
    const deadline = ackWaitMs + 5_000;
    const unsettled = await waitFor(
      async () => {
        const left = await pendingOf(jsm, stream, poisoned);
        return left.length === 0 ? ([] as Poisoned[]) : undefined;
      },
      { timeoutMs: deadline, intervalMs: 250, what: 'poison settled' },
    ).catch(() => pendingOf(jsm, stream, poisoned));
    const letters = await deadLettersOf(jsm, stream, poisoned);
    for (const p of poisoned) {
      const what = `${stream.name} ${p.durable} (${p.kind})`;
      if (unsettled.includes(p))
        findings.push(
          `${what}: still unacknowledged ${Math.round(deadline / 1000)} s after it was delivered (ack wait ${Math.round(ackWaitMs / 1000)} s): it comes back after every ack wait instead of being terminated`,
        );
      for (const reader of p.readers) {
        const n = letters.get(`${p.seq} ${reader}`) ?? 0;
        if (n !== 1)
          findings.push(
            `${what}: ${n} dead letters from ${reader} in ${DeadLetterStream.name}, not 1`,
          );
      }
    }
    for (const subject of new Set(poisoned.map((p) => p.subject))) {
      const sent = poisoned.filter((p) => p.subject === subject);
      const expected = sent.reduce((n, p) => n + p.readers.length, 0);
      const lines = deadLetterLines(subject) - (before.get(subject) ?? 0);
      if (lines !== expected)
        findings.push(
          `${stream.name} ${sent[0]?.durable}: ${sent.length} poison messages on ${subject}, read by ${sent[0]?.readers.join(', ')}, were dead-lettered ${lines} times ("message dead-lettered" log lines), not ${expected}`,
        );
    }
    return [...new Set(findings)];
  } finally {
    await nc.close();
  }
}

/** A subject the consumer's filter takes, unique to this poison message where the filter allows. */
function subjectFor(filter: string): string {
  return filter
    .split('.')
    .map((t) => (t === '*' || t === '>' ? `chaospoison${randomBytes(4).toString('hex')}` : t))
    .join('.');
}

/** NATS subject matching: `*` takes one token, a final `>` the rest. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** How long a consumer may take to reach a poison message behind the load's backlog. */
const DELIVERY_TIMEOUT_MS = 120_000;

/** The poison messages their consumer has not delivered yet (its delivered floor is below them). */
async function undeliveredOf(
  jsm: JetStreamManager,
  stream: StreamContract,
  poisoned: Poisoned[],
): Promise<Poisoned[]> {
  const left: Poisoned[] = [];
  for (const p of poisoned) {
    for (const reader of p.readers) {
      const ci = await jsm.consumers.info(stream.name, reader);
      if (ci.delivered.stream_seq < p.seq) {
        left.push(p);
        break;
      }
    }
  }
  return left;
}

/** The poison messages still waiting for an acknowledgement on their consumer. */
async function pendingOf(
  jsm: JetStreamManager,
  stream: StreamContract,
  poisoned: Poisoned[],
): Promise<Poisoned[]> {
  const left: Poisoned[] = [];
  for (const p of poisoned) {
    if (stream.retention === 'workqueue') {
      // A work queue deletes what is acknowledged or terminated (nats.js answers null for a deleted
      // sequence).
      const stored = await jsm.streams.getMessage(stream.name, { seq: p.seq }).catch(() => null);
      const present = stored !== null && stored !== undefined;
      if (present) left.push(p);
    } else {
      for (const reader of p.readers) {
        const ci = await jsm.consumers.info(stream.name, reader);
        if (ci.ack_floor.stream_seq < p.seq) {
          left.push(p);
          break;
        }
      }
    }
  }
  return left;
}

/** Dead letters of `stream` per original stream sequence and dead-lettering durable (`"<seq> <durable>"`). */
async function deadLettersOf(
  jsm: JetStreamManager,
  stream: StreamContract,
  poisoned: Poisoned[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const info = await jsm.streams.info(DeadLetterStream.name);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(DeadLetterStream.name, { seq }).catch(() => undefined);
    if (!m) continue;
    const letter = unwrap(m.json()) as {
      stream?: string;
      consumer?: string;
      subject?: string;
      payload?: string;
    };
    if (letter.stream !== stream.name) continue;
    const p = poisoned.find((q) => q.subject === letter.subject && letter.payload === bodyOf(q));
    const key = `${p?.seq} ${letter.consumer}`;
    if (p) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function bodyOf(p: { kind: string; subject: string }): string {
  return (POISONS.find((x) => x.kind === p.kind) ?? POISONS[0]).body(p.subject);
}

function unwrap(v: unknown): unknown {
  return v && typeof v === 'object' && 'pattern' in v && 'data' in v
    ? (v as { data: unknown }).data
    : v;
}
