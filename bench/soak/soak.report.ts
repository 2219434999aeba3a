// The soak's report: every probe side by side (one row per figure, one column per probe, then end/first
// and end/previous), and the verdict on "flat with history": at the last probe, p50, CPU per task and
// every process's resident memory within 10 % of the first probe's, taken after warm-up.
import { alignTable } from '../peers/report.js';
import type { Probe } from './history.probe.js';

/** How far the end may be from the first probe (after warm-up) and still count as flat. */
export const FLAT_TOLERANCE = 0.1;

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) =>
  a && b !== undefined ? `${(b / a).toFixed(2)}×` : '–';
const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);

/** The probes side by side. */
export function probeTable(probes: readonly Probe[]): string[] {
  const first = probes[0] as Probe;
  const last = probes.at(-1) as Probe;
  const before = probes.at(-2) as Probe;
  const rows: string[][] = [
    ['', ...probes.map((p) => `after ${p.tasksBefore}`), 'end/first', 'end/previous'],
  ];
  const row = (label: string, pick: (p: Probe) => number | undefined, digits = 1) =>
    rows.push([
      label,
      ...probes.map((p) => fmt(pick(p), digits)),
      ratio(pick(first), pick(last)),
      ratio(pick(before), pick(last)),
    ]);
  row('p50 ms (sequential)', (p) => p.p50Ms);
  row('CPU ms per task, all processes', (p) => total(p.cpuPerTask));
  for (const group of first.cpuPerTask.keys())
    row(`  CPU ms per task: ${group}`, (p) => p.cpuPerTask.get(group));
  row('NATS messages per task', (p) => total(p.messagesPerTask));
  for (const kind of first.messagesPerTask.keys())
    row(`  ${kind}`, (p) => p.messagesPerTask.get(kind));
  row('PostgreSQL transactions per task', (p) => total(p.stores.pgTransactions));
  for (const db of first.stores.pgTransactions.keys())
    row(`  ${db.replace(/^.*_([a-z]+)_[0-9a-f]+$/, '$1')}`, (p) => p.stores.pgTransactions.get(db));
  row('Redis round trips per task', (p) => p.stores.redisRoundTrips);
  row('Redis commands per task', (p) => total(p.stores.redisCommands));
  for (const name of first.stores.redisCommands.keys())
    row(`  ${name}`, (p) => p.stores.redisCommands.get(name));
  for (const group of first.rssMb.keys()) row(`RSS MB: ${group}`, (p) => p.rssMb.get(group), 0);
  for (const name of first.heapMb.keys())
    row(`V8 heap used MB: ${name}`, (p) => p.heapMb.get(name), 0);
  for (const { name } of last.streams) {
    const of = (p: Probe) => p.streams.find((x) => x.name === name);
    if (!of(last)?.messages) continue;
    row(`${name} messages`, (p) => of(p)?.messages, 0);
    row(`${name} subjects`, (p) => of(p)?.subjects, 0);
    row(`${name} MB`, (p) => of(p)?.mb);
  }
  for (const { name } of last.tables.slice(0, 8))
    row(
      `rows: ${name.replace(/^[^.]*_([a-z]+)_[0-9a-f]+\./, '$1.')}`,
      (p) => p.tables.find((x) => x.name === name)?.rows,
      0,
    );
  return alignTable(rows);
}

export interface FlatVerdict {
  flat: boolean;
  /** One line per figure checked, then the verdict. */
  lines: string[];
}

/**
 * Whether the last probe is within FLAT_TOLERANCE of the first on p50, CPU per task (all processes)
 * and the RSS of each of `services` (Switchboard's own processes). The other processes' memory is
 * shown, not judged: nats-server's and Redis' hold the stored history itself (per-task subjects and
 * keys), bounded by the streams' limits and the keys' expiry, not by the tasks run. Nor is the V8 heap:
 * /metrics reads it between collections, so it swings with the moment of the read.
 */
export function flatVerdict(probes: readonly Probe[], services: readonly string[]): FlatVerdict {
  const first = probes[0] as Probe;
  const last = probes.at(-1) as Probe;
  const checks: [string, number, number][] = [
    ['p50 ms', first.p50Ms, last.p50Ms],
    ['CPU ms per task', total(first.cpuPerTask), total(last.cpuPerTask)],
    ...[...first.rssMb]
      .filter(([group]) => services.includes(group))
      .map(([group, mb]): [string, number, number] => [
        `RSS MB ${group}`,
        mb,
        last.rssMb.get(group) ?? 0,
      ]),
  ];
  const lines = checks.map(([label, a, b]) => {
    // a process without memory at the end has gone (a crash is not flat)
    const state = b === 0 && a > 0 ? 'GONE ' : b <= a * (1 + FLAT_TOLERANCE) ? 'flat ' : 'GREW ';
    return `${state} ${label}: ${a.toFixed(1)} -> ${b.toFixed(1)} (${ratio(a, b)})`;
  });
  const grew = lines.filter((l) => !l.startsWith('flat')).length;
  for (const [group, mb] of first.rssMb)
    if (!services.includes(group))
      lines.push(
        `shown RSS MB ${group}: ${mb.toFixed(1)} -> ${(last.rssMb.get(group) ?? 0).toFixed(1)} (${ratio(mb, last.rssMb.get(group))}; not judged: not a service)`,
      );
  const flat = grew === 0;
  lines.push(
    flat
      ? `flat with history: every figure within ${FLAT_TOLERANCE * 100} % of the first probe (after ${first.tasksBefore} tasks) at ${last.tasksBefore}`
      : `NOT flat: ${grew} figure(s) more than ${FLAT_TOLERANCE * 100} % above the first probe, or gone, (after ${first.tasksBefore} tasks) at ${last.tasksBefore}`,
  );
  return { flat, lines };
}
