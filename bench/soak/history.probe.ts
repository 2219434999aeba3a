// What one probe of the soak reads off a running Switchboard: latency and CPU per task per process
// (sequential demo tasks, net of idle), the NATS messages one task makes (by kind), the resident
// memory of each process, and how much history is stored (streams, tables).
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ALL_STREAMS } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { percentile } from '../stats.js';
import { PG_BACKENDS, PG_SERVER, queryOnce } from '../peers/bench-system.js';
import { runPhase } from '../peers/load.client.js';
import { measureSequential } from '../peers/measure.js';
import type { SwitchboardSystem } from '../peers/switchboard.system.js';
import { countStores, type StoreCounts } from './store-counters.js';

export interface Probe {
  /** Tasks the system had run before this probe. */
  tasksBefore: number;
  p50Ms: number;
  /** CPU ms per task, net of idle, per process group (the shared PostgreSQL server's left out). */
  cpuPerTask: Map<string, number>;
  /** NATS messages per task, by kind (JetStream API by call, acks, replies and deliveries, subjects). */
  messagesPerTask: Map<string, number>;
  /** PostgreSQL transactions per database and Redis round trips and commands, per task (net of idle). */
  stores: StoreCounts;
  /** Resident memory per process group, MB: the median of one sample a second during the probe. */
  rssMb: Map<string, number>;
  /** V8 heap in use per service (its /metrics): a heap that grows is a leak, RSS alone may not be. */
  heapMb: Map<string, number>;
  streams: { name: string; messages: number; subjects: number; mb: number }[];
  tables: { name: string; rows: number; mb: number }[];
}

export type SoakSystem = SwitchboardSystem;

/** Resident memory of a process in MB (0 when it has gone). */
function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Each process group's resident memory, sampled every second while the probe's tasks run: the median
 * of the samples. One read alone says more about when V8 last collected (and handed pages back) than
 * about what the process holds; the median over the probe is comparable from probe to probe.
 */
class RssSampler {
  private readonly samples = new Map<string, number[]>();
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly system: SoakSystem) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
  }

  static start(system: SoakSystem): RssSampler {
    return new RssSampler(system);
  }

  private sample(): void {
    for (const [group, pids] of this.system.processes())
      if (group !== PG_SERVER && group !== PG_BACKENDS)
        this.samples.set(group, [
          ...(this.samples.get(group) ?? []),
          pids.reduce((sum, pid) => sum + rssMb(pid), 0),
        ]);
  }

  /** Median RSS in MB per group. */
  stop(): Map<string, number> {
    clearInterval(this.timer);
    this.sample();
    return new Map([...this.samples].map(([group, mb]) => [group, percentile(mb, 50)]));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Each service's V8 heap in use, in MB, from its Prometheus metrics (after a collection it ran). */
async function heapMb(system: SoakSystem): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [name, url] of system.serviceUrls) {
    const text = await fetch(`${url}/metrics`).then((r) => r.text());
    const used = text.match(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([0-9.e+]+)/m);
    if (used) out.set(name, Number(used[1]) / 1024 ** 2);
  }
  return out;
}

/** A message's kind: the JetStream API call, an ack, a reply or delivery, or the subject's stem. */
export function kindOf(subject: string): string {
  // Ids (tasks, delegations, streams) name one thing, not a kind: the subject's stem before the first.
  const t = subject.split('.');
  const id = t.findIndex((token) => UUID.test(token) || token === '_');
  if (id > 0 && subject.startsWith('sb.') && !subject.startsWith('sb.evt.task.'))
    return `${t.slice(0, id).join('.')}.<id>`;
  if (subject.startsWith('$JS.API.CONSUMER.MSG.NEXT.')) return 'JetStream pull request';
  if (subject.startsWith('$JS.API.')) return `JetStream API ${t.slice(2, 4).join('.')}`;
  if (subject.startsWith('$JS.ACK.')) return 'JetStream ack';
  if (subject.startsWith('_INBOX.') || subject.startsWith('_sb_')) return 'reply / delivery';
  if (subject.startsWith('sb.evt.task.')) return 'sb.evt.task (stored events)';
  return t.slice(0, 4).join('.');
}

/** No message for this long: what the counted tasks set off has been sent. */
const QUIET_MS = 1_000;
/** The longest the count waits for that quiet after its last task. */
const SETTLE_MAX_MS = 5_000;

/**
 * Every message the server routes while `tasks` sequential tasks run, per task by kind; on a stack with
 * identities (read as the operator) the platform's subjects and the replies only, not JetStream's API.
 */
async function messagesPerTask(system: SoakSystem, tasks: number): Promise<Map<string, number>> {
  const nc = await connect({ ...system.natsOptions, name: 'soak-counter' });
  const counts = new Map<string, number>();
  let lastSeen = Date.now();
  const count = (_err: unknown, m: { subject: string } | undefined) => {
    if (!m) return;
    lastSeen = Date.now();
    const kind = kindOf(m.subject);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  };
  const subs = (system.seesJetStreamApi ? ['>'] : ['sb.>', '_INBOX.>']).map((subject) =>
    nc.subscribe(subject, { callback: count }),
  );
  await nc.flush();
  const result = await runPhase(system, tasks, 1);
  // What the tasks set off after their answers counts too: the audit relay's append (it lingers, or
  // holds a task's records for its end) and the announcements of what it chained. Counting stops once
  // QUIET_MS pass without a message (at most SETTLE_MAX_MS after the last task).
  const settled = Date.now() + SETTLE_MAX_MS;
  while (Date.now() - lastSeen < QUIET_MS && Date.now() < settled)
    await new Promise((r) => setTimeout(r, 50));
  await nc.flush();
  for (const sub of subs) sub.unsubscribe();
  await nc.close();
  if (result.failures.length) throw new Error(`counting tasks failed: ${result.failures[0]}`);
  const perTask = [...counts].map(([kind, n]): [string, number] => [kind, n / tasks]);
  return new Map(perTask.sort((a, b) => b[1] - a[1]));
}

/** The platform's streams (each read by name: the operator identity may not list them). */
async function streams(nc: NatsConnection): Promise<Probe['streams']> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const out: Probe['streams'] = [];
  for (const { name } of ALL_STREAMS) {
    const s = await jsm.streams.info(name).catch(() => undefined);
    if (s)
      out.push({
        name: s.config.name,
        messages: s.state.messages,
        subjects: s.state.num_subjects ?? 0,
        mb: s.state.bytes / 1024 ** 2,
      });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function tables(system: SoakSystem): Promise<Probe['tables']> {
  const out: Probe['tables'] = [];
  for (const url of system.databaseUrls) {
    const rows = await queryOnce<{ name: string; rows: string; bytes: string }>(
      url,
      'SELECT relname AS name, n_live_tup AS rows, pg_total_relation_size(relid) AS bytes FROM pg_stat_user_tables',
    );
    const db = new URL(url).pathname.slice(1);
    for (const r of rows)
      if (Number(r.rows) > 0)
        out.push({
          name: `${db}.${r.name}`,
          rows: Number(r.rows),
          mb: Number(r.bytes) / 1024 ** 2,
        });
  }
  return out.sort((a, b) => b.rows - a.rows);
}

/** One probe: `tasks` sequential tasks measured, then `counted` more with every message counted. */
export async function probe(
  system: SoakSystem,
  tasksBefore: number,
  tasks: number,
  counted: number,
): Promise<Probe> {
  const sampler = RssSampler.start(system);
  const measured = (await measureSequential([system], tasks)).get(system);
  const rss = sampler.stop();
  if (!measured || measured.failures.length)
    throw new Error(`probe tasks failed: ${measured?.failures[0] ?? 'no result'}`);
  const cpuPerTask = new Map(
    [...measured.cpu]
      .filter(([group]) => group !== PG_SERVER)
      .map(([group, ms]) => [group, ms / measured.latencies.length]),
  );
  let messages = new Map<string, number>();
  const stores = await countStores(system.databaseUrls, system.redis, counted, async () => {
    messages = await messagesPerTask(system, counted);
  });
  const nc = await connect({ ...system.natsOptions, name: 'soak-probe' });
  try {
    return {
      tasksBefore,
      p50Ms: percentile(measured.latencies, 50),
      cpuPerTask,
      messagesPerTask: messages,
      stores,
      rssMb: rss,
      heapMb: await heapMb(system),
      streams: await streams(nc),
      tables: await tables(system),
    };
  } finally {
    await nc.close();
  }
}
