// Does a task cost more once the platform has run many? A fast-forward soak:
//   npm run bench -- soak [--stack | --cell] [--history N] [--parts N] [--warmup N] [--concurrency N]
//                         [--probe N] [--count N] [--json FILE]
// Starts Switchboard as the peers bench does (its real services from this build, a private NATS,
// Redis and databases; --cell: its services as one cell, the users' default shape) or, with --stack, measures the stack `npm run up` runs (its NATS and
// identities, Prosody, the sample agents and bridges, task logs; bench/peers/stack.system.ts). Warms
// it up (--warmup tasks), probes it (sequential demo tasks: p50, CPU per task per process net of
// idle, NATS messages per task by kind, RSS per process and V8 heap per service, stream and table
// sizes), then stores a history of --history real demo tasks at --concurrency in flight in --parts
// parts with a probe after each. The verdict: p50, CPU per task and every process's RSS at the end
// within 10 % of the first probe (after warm-up) (docs/benchmarks.md, "Flat with history").
import { tempDir } from '@switchboard/testing';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPhase } from '../peers/load.client.js';
import { attachStack, CELL_GROUP } from '../peers/stack.system.js';
import { CELL_PROCESS, startSwitchboard } from '../peers/switchboard.system.js';
import { type Probe, probe } from './history.probe.js';
import { flatVerdict, probeTable } from './soak.report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const { values: args } = parseArgs({
  options: {
    stack: { type: 'boolean', default: false },
    cell: { type: 'boolean', default: false },
    history: { type: 'string', default: '50000' },
    parts: { type: 'string', default: '2' },
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
const [history, parts, warmup, concurrency, probeTasks, counted] = [
  num('history'),
  num('parts'),
  num('warmup'),
  num('concurrency'),
  num('probe'),
  num('count'),
];

const system = args.stack
  ? await attachStack({ root: ROOT, name: 'Switchboard (npm run up)' })
  : await startSwitchboard({
      root: ROOT,
      name: args.cell ? 'soak (cell)' : 'soak',
      logDir: tempDir('soak-logs'),
      shape: args.cell ? 'cell' : 'services',
    });
console.log(`soak: ${system.configuration}`);
console.log(
  `soak: load average at the start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  console.log(`soak: warming up with ${warmup} tasks at ${concurrency} in flight`);
  await runPhase(system, warmup, concurrency);
  let ran = warmup;
  const probes: Probe[] = [];
  let failed = 0;
  for (let part = 0; part <= parts; part++) {
    if (part > 0) {
      const n = Math.floor((history * part) / parts) - Math.floor((history * (part - 1)) / parts);
      console.log(
        `soak: storing ${n} more tasks at ${concurrency} in flight (part ${part} of ${parts})`,
      );
      const filled = await runPhase(system, n, concurrency);
      failed += filled.failures.length;
      const perSecond = filled.latencies.length / (filled.elapsedMs / 1000);
      console.log(
        `soak: ${filled.latencies.length} tasks in ${(filled.elapsedMs / 1000).toFixed(0)} s (${perSecond.toFixed(0)}/s), ${filled.failures.length} failed${filled.failures.length ? ` (first: ${filled.failures[0]})` : ''}; load average ${loadavg()[0]?.toFixed(2)}`,
      );
      ran += n;
    }
    console.log(`soak: probing after ${ran} tasks (${probeTasks} sequential, ${counted} counted)`);
    const p = await probe(system, ran, probeTasks, counted);
    probes.push(p);
    // memory at each probe as it comes, so a long soak shows its trend while it runs
    const mb = (m: Map<string, number>) =>
      [...m].map(([g, v]) => `${g} ${v.toFixed(0)}`).join(', ');
    console.log(
      `soak: p50 ${p.p50Ms.toFixed(1)} ms; RSS MB: ${mb(p.rssMb)}; V8 heap used MB: ${mb(p.heapMb)}`,
    );
    ran += probeTasks + counted;
  }
  console.log(probeTable(probes).join('\n'));
  const verdict = flatVerdict(probes, [...system.serviceUrls.keys(), CELL_GROUP, CELL_PROCESS]);
  console.log(`\n${verdict.lines.join('\n')}`);
  console.log(
    `soak: load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  if (args.json) {
    const plain = (p: Probe) => ({
      ...p,
      cpuPerTask: Object.fromEntries(p.cpuPerTask),
      messagesPerTask: Object.fromEntries(p.messagesPerTask),
      stores: {
        pgTransactions: Object.fromEntries(p.stores.pgTransactions),
        redisRoundTrips: p.stores.redisRoundTrips,
        redisCommands: Object.fromEntries(p.stores.redisCommands),
      },
      rssMb: Object.fromEntries(p.rssMb),
      heapMb: Object.fromEntries(p.heapMb),
    });
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          configuration: system.configuration,
          natsVersion: system.natsVersion,
          history,
          warmup,
          concurrency,
          flat: verdict.flat,
          probes: probes.map(plain),
        },
        null,
        2,
      ),
    );
  }
  if (failed) process.exitCode = 1;
} finally {
  await system.stop();
}
