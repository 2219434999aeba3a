// Does a task cost more once the platform has run many? A fast-forward soak:
//   npm run bench -- soak [--history N] [--warmup N] [--concurrency N] [--probe N] [--count N]
//                         [--json FILE]
// Starts Switchboard as the peers bench does (its real services from this build, a private NATS,
// Redis and databases), warms it up (--warmup tasks), probes it (sequential demo tasks: p50, CPU per
// task per process net of idle, NATS messages per task by kind, RSS per process, stream and table
// sizes), stores a history of --history real demo tasks at --concurrency in flight in two halves
// with a probe after each. end/start is what must stay flat (docs/benchmarks.md, "Flat with
// history"); end/mid shows whether memory still grows after the first half.
import { tempDir } from '@switchboard/testing';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPhase } from '../peers/load.client.js';
import { alignTable } from '../peers/report.js';
import { startSwitchboard } from '../peers/switchboard.system.js';
import { type Probe, probe } from './history.probe.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const { values: args } = parseArgs({
  options: {
    history: { type: 'string', default: '50000' },
    warmup: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    probe: { type: 'string', default: '100' },
    count: { type: 'string', default: '20' },
    json: { type: 'string' },
  },
});
const num = (name: keyof typeof args) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const [history, warmup, concurrency, probeTasks, counted] = [
  num('history'),
  num('warmup'),
  num('concurrency'),
  num('probe'),
  num('count'),
];

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined) =>
  a && b !== undefined ? `${(b / a).toFixed(2)}×` : '–';

/** The probes side by side, one row per figure, with end/start and end/mid. */
function report(probes: readonly Probe[]): string[] {
  const [start, mid, end] = probes as [Probe, Probe, Probe];
  const rows: string[][] = [
    ['', ...probes.map((p) => `after ${p.tasksBefore}`), 'end/start', 'end/mid'],
  ];
  const row = (label: string, pick: (p: Probe) => number | undefined, digits = 1) => {
    const [a, m, b] = [pick(start), pick(mid), pick(end)];
    rows.push([label, fmt(a, digits), fmt(m, digits), fmt(b, digits), ratio(a, b), ratio(m, b)]);
  };
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  row('p50 ms (sequential)', (p) => p.p50Ms);
  row('CPU ms per task, all processes', (p) => total(p.cpuPerTask));
  for (const group of start.cpuPerTask.keys())
    row(`  CPU ms per task: ${group}`, (p) => p.cpuPerTask.get(group));
  row('NATS messages per task', (p) => total(p.messagesPerTask));
  for (const kind of start.messagesPerTask.keys())
    row(`  ${kind}`, (p) => p.messagesPerTask.get(kind));
  for (const group of start.rssMb.keys()) row(`RSS MB: ${group}`, (p) => p.rssMb.get(group), 0);
  for (const name of start.heapMb.keys())
    row(`heap used MB: ${name}`, (p) => p.heapMb.get(name), 0);
  for (const { name } of end.streams) {
    const of = (p: Probe) => p.streams.find((x) => x.name === name);
    if (!of(end)?.messages) continue;
    row(`${name} messages`, (p) => of(p)?.messages, 0);
    row(`${name} subjects`, (p) => of(p)?.subjects, 0);
    row(`${name} MB`, (p) => of(p)?.mb);
  }
  for (const { name } of end.tables.slice(0, 8))
    row(
      `rows: ${name.replace(/^[^.]*_([a-z]+)_[0-9a-f]+\./, '$1.')}`,
      (p) => p.tables.find((x) => x.name === name)?.rows,
      0,
    );
  return alignTable(rows);
}

const system = await startSwitchboard({ root: ROOT, name: 'soak', logDir: tempDir('soak-logs') });
try {
  console.log(`soak: warming up with ${warmup} tasks at ${concurrency} in flight`);
  await runPhase(system, warmup, concurrency);
  let ran = warmup;
  const probes: Probe[] = [];
  let failed = 0;
  for (const half of [0, 1, 2]) {
    if (half > 0) {
      const n = half === 1 ? Math.floor(history / 2) : history - Math.floor(history / 2);
      console.log(`soak: storing ${n} more tasks at ${concurrency} in flight`);
      const filled = await runPhase(system, n, concurrency);
      failed += filled.failures.length;
      const perSecond = filled.latencies.length / (filled.elapsedMs / 1000);
      console.log(
        `soak: ${filled.latencies.length} tasks in ${(filled.elapsedMs / 1000).toFixed(0)} s (${perSecond.toFixed(0)}/s), ${filled.failures.length} failed${filled.failures.length ? ` (first: ${filled.failures[0]})` : ''}`,
      );
      ran += n;
    }
    console.log(`soak: probing after ${ran} tasks (${probeTasks} sequential, ${counted} counted)`);
    probes.push(await probe(system, ran, probeTasks, counted));
    ran += probeTasks + counted;
  }
  console.log(report(probes).join('\n'));
  if (args.json) {
    const plain = (p: Probe) => ({
      ...p,
      cpuPerTask: Object.fromEntries(p.cpuPerTask),
      messagesPerTask: Object.fromEntries(p.messagesPerTask),
      rssMb: Object.fromEntries(p.rssMb),
      heapMb: Object.fromEntries(p.heapMb),
    });
    writeFileSync(
      args.json,
      JSON.stringify({ history, warmup, concurrency, probes: probes.map(plain) }, null, 2),
    );
  }
  if (failed) process.exitCode = 1;
} finally {
  await system.stop();
}
