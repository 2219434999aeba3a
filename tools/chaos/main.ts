// The chaos suite: `npm run chaos [-- --quick | --cluster | --cell | --only <fault>[,...] | --list]`.
// Starts a private stack, drives tasks through the gateway, injects one fault at a time and checks that
// every accepted task ended truthfully (docs/reliability.md). Exit code 1 when any fault failed.
import { appendFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CHAOS_SETTINGS, type ChaosStack, startChaosStack } from './chaos-stack.js';
import type { Fault } from './fault.js';
import { CELL_FAULTS, CLUSTER_FAULTS, FAULTS } from './faults.js';
import { type ChaosLlm, startChaosLlm } from './llm-server.js';
import { type PhaseResult, runPhase } from './phase.js';
import { Truth } from './truth.js';
import { formatLine } from './verdict.js';

const USAGE = `usage: npm run chaos -- [--quick | --cluster | --cell] [--only <fault>[,<fault>...]] [--list]
  --quick    the CI subset (${FAULTS.filter((f) => f.quick)
    .map((f) => f.id)
    .join(', ')})
  --cluster  the cluster faults, on three NATS nodes and two replicas of each service but the
             xmpp-bridge (${CLUSTER_FAULTS.map((f) => f.id).join(', ')})
  --cell     the cell faults, on every service in one process as \`npm run up\` runs them
             (${CELL_FAULTS.map((f) => f.id).join(', ')})
  --only     these faults only (ids from --list)
  --list     print the faults and exit`;

type Mode = 'single' | 'cluster' | 'cell';

interface Selection {
  faults: Fault[];
  mode: Mode;
}

function select(argv: string[]): Selection | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      cluster: { type: 'boolean', default: false },
      cell: { type: 'boolean', default: false },
      only: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  if (values.list) {
    for (const [mode, faults] of [
      ['', FAULTS],
      ['  (cluster)', CLUSTER_FAULTS],
      ['  (cell)', CELL_FAULTS],
    ] as const)
      for (const f of faults)
        console.log(`${f.id.padEnd(26)} ${f.label}${f.quick && !mode ? '  (quick)' : ''}${mode}`);
    return undefined;
  }
  if ([values.quick, values.cluster, values.cell].filter(Boolean).length > 1)
    throw new Error('--quick, --cluster and --cell are separate runs');
  const mode: Mode = values.cluster ? 'cluster' : values.cell ? 'cell' : 'single';
  const pool = { single: FAULTS, cluster: CLUSTER_FAULTS, cell: CELL_FAULTS }[mode];
  if (values.only) {
    const ids = values.only.split(',').map((s) => s.trim());
    const unknown = ids.filter((id) => !pool.some((f) => f.id === id));
    if (unknown.length)
      throw new Error(
        `unknown fault ${unknown.join(', ')} (see --list; cluster and cell faults need --cluster, --cell)`,
      );
    return { faults: pool.filter((f) => ids.includes(f.id)), mode };
  }
  return { faults: values.quick ? FAULTS.filter((f) => f.quick) : [...pool], mode };
}

const progress = (line: string) => process.stderr.write(`chaos: ${line}\n`);

/**
 * A fault's wall time (its phase and the repair after it) for the table `npm test` ends with: one JSON
 * line in the file SB_TEST_TIMINGS names, as the jest reporter writes per file (tools/test-timings).
 */
function recordTime(id: string, seconds: number, pass: boolean, mode: string): void {
  const out = process.env['SB_TEST_TIMINGS'];
  if (!out) return;
  const line = { kind: 'chaos', file: `${mode} ${id}`, seconds, tests: 1, failed: pass ? 0 : 1 };
  appendFileSync(out, `${JSON.stringify(line)}\n`);
}

/** Whatever a fault left broken is put right before the next one, so each starts from a healthy stack. */
async function repair(stack: ChaosStack, truth: Truth): Promise<void> {
  if (!stack.auditDbProxy.accepting) await stack.auditDbProxy.accept();
  const notReady = new Set(await truth.notReady());
  const restarted = new Set<number>();
  for (const r of stack.replicas().filter((x) => notReady.has(x.label))) {
    // A cell's services share one process: started again once.
    if (restarted.has(r.handle.pid)) continue;
    restarted.add(r.handle.pid);
    progress(`${r.label} is not ready: restarting it`);
    await r.handle.stop(5_000);
    await stack
      .start(r.service, {}, r.index)
      .catch((e: unknown) => progress(`${r.label}: ${(e as Error).message}`));
  }
}

function print(r: PhaseResult): void {
  console.log(formatLine(r.fault.label, r.verdict, r.inFlight));
  for (const p of r.verdict.problems) console.log(`    ✗ ${p}`);
  for (const n of r.notes) console.log(`    · ${n}`);
}

async function main(): Promise<number> {
  const selection = select(process.argv.slice(2));
  if (!selection) return 0;
  const { faults, mode } = selection;
  const started = Date.now();
  progress(
    `${faults.length} faults on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} (load ${loadavg()[0]?.toFixed(2)})`,
  );
  const stack = await startChaosStack({
    log: progress,
    cluster: mode === 'cluster',
    cell: mode === 'cell',
  });
  let llm: ChaosLlm | undefined;
  const truth = new Truth(stack);
  const stopAll = async () => {
    await truth.close();
    await llm?.stop();
    await stack.stop();
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stopAll().finally(() => process.exit(143)));
  const results: PhaseResult[] = [];
  try {
    recordTime('(stack start)', (Date.now() - started) / 1000, true, mode);
    const idempotentTools = await truth.idempotentTools();
    progress(
      `budget ${CHAOS_SETTINGS.TASK_TIMEOUT_MS / 1000} s per task; services ${stack
        .replicas()
        .map((r) => r.label)
        .join(', ')}; logs in ${stack.logDir}`,
    );
    for (const fault of faults) {
      progress(`${fault.label} ...`);
      const faultStarted = Date.now();
      const result = await runPhase(fault, {
        stack,
        truth,
        llm: async () => (llm ??= await startChaosLlm()),
        log: progress,
        idempotentTools,
      });
      results.push(result);
      print(result);
      await repair(stack, truth);
      const seconds = (Date.now() - faultStarted) / 1000;
      progress(`${fault.id}: ${seconds.toFixed(1)} s`);
      recordTime(fault.id, seconds, result.verdict.pass, mode);
    }
  } finally {
    await stopAll();
  }
  const failed = results.filter((r) => !r.verdict.pass).length;
  progress(
    `done in ${((Date.now() - started) / 60_000).toFixed(1)} min; service logs in ${stack.logDir}`,
  );
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`chaos: ${(e as Error).stack ?? String(e)}`);
    process.exit(2);
  },
);
