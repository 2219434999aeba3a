// One measured phase: wait until the systems' processes are quiet, run the load while a CPU window is
// open on each system, wait until everything the load caused is done (Switchboard's audit trail and
// task logs are written in batches after the stream ends), then an idle window of the same length, so
// the CPU counted is what the tasks cost and not what the processes spend doing nothing. Sequential
// tasks are measured on all systems at once, interleaved task by task (one task in flight at a time,
// so they never compete); tasks in flight are measured one system at a time.
import { waitFor } from '@switchboard/testing';
import { type BenchSystem, PG_SERVER } from './bench-system.js';
import { CpuWindow, type GroupCpu, netOfIdle } from './cpu-window.js';
import { type PhaseResult, runInterleaved, runPhase } from './load.client.js';

const QUIET_SHARE = 0.05; // of one core, per process group, over one second

/** The system's own processes, without the PostgreSQL server's shared ones (other users' load). */
const ownProcesses = (system: BenchSystem) => () => {
  const groups = system.processes();
  groups.delete(PG_SERVER);
  return groups;
};

/**
 * Resolves once no process group of the system used more than 5 % of a core over one second (or,
 * on a machine that never gets that quiet, after `timeoutMs`: the idle window then subtracts it).
 */
export async function quiet(system: BenchSystem, timeoutMs = 30_000): Promise<boolean> {
  return waitFor(
    async () => {
      const window = CpuWindow.open(ownProcesses(system), { intervalMs: 250 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const { cpu, ms } = window.close();
      return [...cpu.values()].every((used) => used / ms <= QUIET_SHARE);
    },
    { timeoutMs, intervalMs: 0, what: `${system.name} to be quiet` },
  ).catch(() => false);
}

export interface MeasuredPhase extends PhaseResult {
  /** CPU ms per process group, net of an idle window of the same length. */
  cpu: GroupCpu;
  windowMs: number;
}

/**
 * Runs `load` with a CPU window open on each of `systems` (opened and closed together, from quiet to
 * quiet), then an idle window of the same length on each; every system's CPU is its own processes'.
 */
async function measure(
  systems: readonly BenchSystem[],
  load: () => Promise<Map<BenchSystem, PhaseResult>>,
): Promise<Map<BenchSystem, MeasuredPhase>> {
  for (const system of systems) await quiet(system);
  const loadWindows = systems.map((s) => CpuWindow.open(s.processes));
  const results = await load();
  for (const system of systems) await quiet(system);
  const loaded = loadWindows.map((w) => w.close());
  const windowMs = Math.max(...loaded.map((l) => l.ms));
  const idleWindows = systems.map((s) => CpuWindow.open(s.processes));
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const idle = idleWindows.map((w) => w.close());
  return new Map(
    systems.map((system, i) => [
      system,
      {
        ...(results.get(system) as PhaseResult),
        cpu: netOfIdle(loaded[i]?.cpu ?? new Map(), idle[i]?.cpu ?? new Map()),
        windowMs,
      },
    ]),
  );
}

/** `tasks` tasks with `concurrency` in flight on one system, alone on the machine's load. */
export async function measureLoaded(
  system: BenchSystem,
  tasks: number,
  concurrency: number,
): Promise<MeasuredPhase> {
  const measured = await measure(
    [system],
    async () => new Map([[system, await runPhase(system, tasks, concurrency)]]),
  );
  return measured.get(system) as MeasuredPhase;
}

/** `tasksEach` sequential tasks per system, interleaved task by task (see runInterleaved). */
export function measureSequential(
  systems: readonly BenchSystem[],
  tasksEach: number,
): Promise<Map<BenchSystem, MeasuredPhase>> {
  return measure(systems, () => runInterleaved(systems, tasksEach));
}
