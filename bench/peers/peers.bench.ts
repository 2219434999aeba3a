// Switchboard — as one cell (the users' default) and as separate services — against LangGraph JS,
// Mastra and Restate on the demo task, in one run on one machine:
//   npm run bench -- peers [--stack] [--quick] [--rounds N] [--sequential N] [--loaded N]
//                          [--concurrency N] [--baseline DIR] [--baseline-node-env ENV] [--json FILE]
//                          [--cells N|auto[,…]] [--peers restate,mastra,langgraph] [--no-services]
// Each system runs on its own processes and databases; one load client measures them in rounds
// (sequential tasks of all systems interleaved task by task, then each system with 64 in flight, the
// order rotating every round): latency, throughput, CPU per task per process net of idle,
// PostgreSQL rows written per task, and each system's resident memory after the run. Then a
// persistence check reads every task back from each system's database. --baseline DIR adds another built Switchboard checkout (e.g. before a change)
// to the same rounds, for a before/after budget. --stack measures, as Switchboard, the stack `npm run up`
// runs (its NATS and identities, Prosody, the sample agents and bridges, task logs) instead of a
// private one (bench/peers/stack.system.ts); the report names which. --cells: the cell's SB_CELLS
// (default auto, as users run it: one cell per core but one); each further value adds that cell to the same
// rounds (`--cells auto,1`: the default against one process). --peers: which peers to run (default
// all three; `--peers restate` for a quicker before/after); --no-services leaves out the services shape.
// Switchboard runs with NODE_ENV=production, as `npm run up` runs it; --baseline-node-env sets the
// baseline's (e.g. development, to price a build from before production mode as users then ran it).
import { DEMO_TASK, TEST_PG_URL, tempDir } from '@switchboard/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from '../stats.js';
import { type BenchSystem, queryOnce, type TaskRecord } from './bench-system.js';
import { runPhase } from './load.client.js';
import { type MeasuredPhase, measureLoaded, measureSequential } from './measure.js';
import { LANGGRAPH, MASTRA, startPeer } from './peer.system.js';
import { startRestate } from './restate.system.js';
import { checkPersistence, type PersistenceResult } from './persistence-check.js';
import {
  budgetComparison,
  comparisonTable,
  cpuBudget,
  type CpuRound,
  groupPerTask,
  groupsOf,
  roundRatios,
  ROWS,
  type SystemFigures,
} from './report.js';
import { rowsDelta, settledRows, total } from './rows-written.js';
import { memoryLines, type SystemMemory, systemMemory } from './resident-memory.js';
import { attachStack } from './stack.system.js';
import { CELL_PROCESS, startSwitchboard, type SwitchboardSystem } from './switchboard.system.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../../..');

const { values: args } = parseArgs({
  options: {
    stack: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    sequential: { type: 'string' },
    loaded: { type: 'string' },
    concurrency: { type: 'string', default: '64' },
    baseline: { type: 'string' },
    json: { type: 'string' },
    cells: { type: 'string', default: 'auto' },
    peers: { type: 'string', default: 'langgraph,mastra,restate' },
    services: { type: 'boolean', default: true },
    'baseline-node-env': { type: 'string', default: 'production' },
  },
  allowNegative: true,
});
const PEERS = new Set((args.peers ?? '').split(',').map((p) => p.trim().toLowerCase()));
for (const p of PEERS)
  if (!['langgraph', 'mastra', 'restate'].includes(p))
    throw new Error(`--peers: langgraph, mastra or restate, got ${p}`);
const BASELINE_NODE_ENV = args['baseline-node-env'] ?? 'production';
if (!['production', 'development'].includes(BASELINE_NODE_ENV))
  throw new Error(`--baseline-node-env: production or development, got ${BASELINE_NODE_ENV}`);
/** --cells: SB_CELLS of the cell, then of each further cell measured beside it. */
const CELLS = (args.cells ?? 'auto').split(',').map((v): number | 'auto' => {
  const n = Number(v.trim());
  if (v.trim() === 'auto') return 'auto';
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--cells: auto or a whole number ≥ 1, got ${v}`);
  return n;
});
/** The name of a further cell: `Switchboard (1 cell)`, `Switchboard (auto cells)`. */
const cellName = (cells: number | 'auto') => `Switchboard (${cells} cell${cells === 1 ? '' : 's'})`;
const count = (value: string | undefined, fallback: number, name: string): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a whole number ≥ 1, got ${value}`);
  return n;
};
const SETTINGS = {
  rounds: count(args.rounds, args.quick ? 3 : 5, 'rounds'),
  sequential: count(args.sequential, args.quick ? 30 : 100, 'sequential'),
  loaded: count(args.loaded, args.quick ? 128 : 640, 'loaded'),
  concurrency: count(args.concurrency, 64, 'concurrency'),
  warmup: args.quick ? { sequential: 10, loaded: 64 } : { sequential: 50, loaded: 256 },
};

/** The systems Switchboard's figures are also divided by, one by one (the durable one first). */
const AGAINST = ['Restate', 'Mastra', 'Switchboard (services)', ...CELLS.slice(1).map(cellName)];

interface Tally {
  system: BenchSystem;
  figures: SystemFigures;
  records: TaskRecord[];
  failures: string[];
  tasksRun: number;
  rowsBefore: Map<string, number>;
  rowsByTable: Map<string, number>;
}

function version(pkg: string): string {
  const file = join(ROOT, 'bench/peers/node_modules', pkg, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

async function machine(pgUrl: string): Promise<Record<string, string>> {
  const [pg] = await queryOnce<{ version: string }>(
    pgUrl,
    'SELECT current_setting($1) AS version',
    ['server_version'],
  );
  return {
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    redis: tool('redis-server', ['--version']).replace(/ sha=.*/, ''),
    postgresql: pg?.version ?? 'unknown',
    '@langchain/langgraph': version('@langchain/langgraph'),
    '@langchain/langgraph-checkpoint-postgres': version('@langchain/langgraph-checkpoint-postgres'),
    '@mastra/core': version('@mastra/core'),
    '@mastra/pg': version('@mastra/pg'),
    '@restatedev/restate-server': version('@restatedev/restate-server'),
    '@restatedev/restate-sdk': version('@restatedev/restate-sdk'),
    'load average at start': loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

function newTally(system: BenchSystem): Tally {
  return {
    system,
    records: [],
    failures: [],
    tasksRun: 0,
    rowsBefore: new Map(),
    rowsByTable: new Map(),
    figures: {
      name: system.name,
      sequential: [],
      loaded: [],
      cpuSequential: [],
      cpuLoaded: [],
      rows: { written: 0, tasks: 0 },
      failures: 0,
      persistence: { checked: 0, stored: 0 },
    },
  };
}

/** Warm-up (JIT, pools, caches), not measured but counted for rows and the persistence check. */
async function warmUp(t: Tally): Promise<void> {
  for (const [tasks, concurrency] of [
    [SETTINGS.warmup.sequential, 1],
    [SETTINGS.warmup.loaded, SETTINGS.concurrency],
  ] as const) {
    const result = await runPhase(t.system, tasks, concurrency);
    t.records.push(...result.records);
    t.failures.push(...result.failures);
    t.tasksRun += result.records.length + result.failures.length;
  }
}

/** Adds one measured phase to a system's tally and prints its figure. */
function record(t: Tally, m: MeasuredPhase, round: number, concurrency: number): void {
  const loaded = concurrency > 1;
  t.records.push(...m.records);
  t.failures.push(...m.failures);
  t.tasksRun += m.records.length + m.failures.length;
  (loaded ? t.figures.cpuLoaded : t.figures.cpuSequential).push({
    cpu: m.cpu,
    tasks: m.records.length,
  });
  if (loaded) t.figures.loaded.push({ tasks: m.records.length, seconds: m.elapsedMs / 1000 });
  else t.figures.sequential.push(m.latencies);
  const figure = loaded
    ? `${(m.records.length / (m.elapsedMs / 1000)).toFixed(0)} tasks/s`
    : `p50 ${percentile(m.latencies, 50).toFixed(1)} ms`;
  const phase = loaded ? `${concurrency} in flight` : 'sequential, interleaved';
  const failed = m.failures.length ? `  (${m.failures.length} failed: ${m.failures[0]})` : '';
  console.log(`  round ${round + 1}, ${phase}: ${t.system.name.padEnd(24)} ${figure}${failed}`);
}

/** One round: the sequential tasks of all systems interleaved, then each system's loaded phase. */
async function measuredRound(tallies: Tally[], round: number): Promise<void> {
  const order = tallies.map((_, i) => tallies[(i + round) % tallies.length] as Tally);
  const sequential = await measureSequential(
    order.map((t) => t.system),
    SETTINGS.sequential,
  );
  for (const t of order) record(t, sequential.get(t.system) as MeasuredPhase, round, 1);
  for (const t of order) {
    const m = await measureLoaded(t.system, SETTINGS.loaded, SETTINGS.concurrency);
    record(t, m, round, SETTINGS.concurrency);
  }
}

async function finish(t: Tally): Promise<PersistenceResult> {
  const after = await settledRows(t.system.databaseUrls);
  t.rowsByTable = rowsDelta(t.rowsBefore, after);
  t.figures.rows = { written: total(t.rowsByTable), tasks: t.tasksRun };
  t.figures.failures = t.failures.length;
  const check = checkPersistence(t.records, await t.system.readBack(t.records), '391');
  t.figures.persistence = { checked: check.checked, stored: check.stored };
  return check;
}

function printResults(tallies: Tally[], checks: PersistenceResult[], baseline?: Tally): void {
  const main = tallies.filter((t) => t !== baseline);
  console.log(
    `\n${comparisonTable(
      main.map((t) => t.figures),
      AGAINST,
    ).join('\n')}`,
  );
  console.log(
    roundRatios(
      main.map((t) => t.figures),
      AGAINST,
    ),
  );
  for (const t of tallies) console.log(`\n${cpuBudget(t.figures).join('\n')}`);
  if (baseline && tallies[0])
    console.log(`\n${budgetComparison(baseline.figures, tallies[0].figures).join('\n')}`);
  console.log('\nPostgreSQL rows written per task, by table:');
  for (const t of tallies) {
    const tables = [...t.rowsByTable]
      .sort((a, b) => b[1] - a[1])
      .map(
        ([table, n]) =>
          `${table.replace(/^sbt_|_[0-9a-f]{8}(?=\.)/g, '')} ${(n / t.tasksRun).toFixed(1)}`,
      );
    console.log(`  ${t.system.name}: ${tables.join(', ')}`);
  }
  console.log('\npersistence check (every task read back from its system’s own database):');
  tallies.forEach((t, i) => {
    const c = checks[i] as PersistenceResult;
    console.log(`  ${t.system.name}: ${c.stored} of ${c.checked} tasks stored`);
    for (const problem of c.problems.slice(0, 5)) console.log(`    ${problem}`);
    if (c.problems.length > 5) console.log(`    … and ${c.problems.length - 5} more`);
  });
}

/** Every figure as JSON: per system, the summary rows, CPU per task per process, rows per table. */
function writeJson(file: string, machineInfo: Record<string, string>, tallies: Tally[]): void {
  const cpu = (rounds: CpuRound[]) => ({
    msPerTask: Object.fromEntries([...groupsOf(rounds)].map((g) => [g, groupPerTask(rounds, g)])),
    rounds: rounds.map((r) => ({ tasks: r.tasks, ms: Object.fromEntries(r.cpu) })),
  });
  const figures = tallies.map((t) => ({
    ...t.figures,
    summary: Object.fromEntries(ROWS.map((r) => [r.label, r.value(t.figures)])),
    cpuSequential: cpu(t.figures.cpuSequential),
    cpuLoaded: cpu(t.figures.cpuLoaded),
    rowsByTable: Object.fromEntries(t.rowsByTable),
  }));
  writeFileSync(
    file,
    JSON.stringify({ machine: machineInfo, settings: SETTINGS, figures }, null, 2),
  );
}

/** The cell's resident memory as a share of the same services run as a process each. */
function cellShare(memory: SystemMemory[]): string {
  const cell = memory
    .find((m) => m.system === 'Switchboard (cell)')
    ?.groups.find((g) => g.group === CELL_PROCESS);
  const apart = memory.find((m) => m.system === 'Switchboard (services)');
  if (!cell || !apart) return '';
  const SERVICES = new Set(['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit']);
  const services = apart.groups.filter((g) => SERVICES.has(g.group)).reduce((s, g) => s + g.MiB, 0);
  return `  the cell: ${cell.MiB.toFixed(0)} MiB, ${((100 * cell.MiB) / services).toFixed(0)}% of the five services' ${services.toFixed(0)} MiB together`;
}

async function main(): Promise<void> {
  const logDir = tempDir('peers-logs');
  const info = await machine(TEST_PG_URL);
  for (const [key, value] of Object.entries(info)) console.log(`${key.padEnd(42)} ${value}`);
  console.log(
    `task: "${DEMO_TASK}"; settings: ${JSON.stringify(SETTINGS)}; service logs: ${logDir}\n`,
  );

  const systems: BenchSystem[] = [];
  let baseline: Tally | undefined;
  const stopAll = () => Promise.allSettled(systems.map((s) => s.stop()));
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const switchboard: SwitchboardSystem = args.stack
      ? await attachStack({ root: ROOT, name: 'Switchboard' })
      : await startSwitchboard({
          root: ROOT,
          name: 'Switchboard (cell)',
          logDir,
          shape: 'cell',
          cells: CELLS[0] ?? 'auto',
        });
    systems.push(switchboard);
    info['nats-server'] = switchboard.natsVersion;
    info[switchboard.name] = switchboard.configuration;
    console.log(`${switchboard.name.padEnd(42)} ${switchboard.configuration}`);
    // The same build as separate services, in the same rounds (the stack `up` runs has one shape).
    if (!args.stack && args.services) {
      const apart = await startSwitchboard({ root: ROOT, name: 'Switchboard (services)', logDir });
      systems.push(apart);
      info[apart.name] = apart.configuration;
      for (const cells of CELLS.slice(1)) {
        const other = await startSwitchboard({
          root: ROOT,
          name: cellName(cells),
          logDir,
          shape: 'cell',
          cells,
        });
        systems.push(other);
        info[other.name] = other.configuration;
        console.log(`${other.name.padEnd(42)} ${other.configuration}`);
      }
    }
    if (args.baseline) {
      const root = resolve(args.baseline);
      // a build from before the cell runs as separate services
      const shape = existsSync(join(root, 'dist/apps/cell/src/main.js')) ? 'cell' : 'services';
      const nodeEnv = BASELINE_NODE_ENV as 'production' | 'development';
      const name = 'Switchboard (baseline)';
      systems.push(await startSwitchboard({ root, name, logDir, shape, nodeEnv }));
    }
    if (PEERS.has('langgraph')) systems.push(await startPeer(LANGGRAPH, logDir));
    if (PEERS.has('mastra')) systems.push(await startPeer(MASTRA, logDir));
    if (PEERS.has('restate')) systems.push(await startRestate(logDir));
    const tallies = systems.map(newTally);
    baseline = tallies.find((t) => t.system.name === 'Switchboard (baseline)');
    await Promise.all(
      tallies.map(async (t) => (t.rowsBefore = await settledRows(t.system.databaseUrls))),
    );
    console.log('warming up…');
    for (const t of tallies) await warmUp(t);
    for (let round = 0; round < SETTINGS.rounds; round++) await measuredRound(tallies, round);
    console.log('waiting for PostgreSQL statistics to settle, then reading every task back…');
    const checks = await Promise.all(tallies.map(finish));
    const memory = tallies.map((t) => systemMemory(t.system.name, t.system.processes()));
    printResults(tallies, checks, baseline);
    console.log(`\n${[...memoryLines(memory), cellShare(memory)].filter(Boolean).join('\n')}`);
    console.log(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (args.json) writeJson(args.json, info, tallies);
    if (checks.some((c) => c.problems.length) || tallies.some((t) => t.failures.length))
      process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

await main();
