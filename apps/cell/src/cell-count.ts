import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** What `auto` is made of: the cores this process may run on and its cgroup's CPU limit, if any. */
export interface MachineCpus {
  /** os.availableParallelism(): the CPUs the process' affinity allows. */
  cores: number;
  /** The cgroup's CPU quota in CPUs (a container's `--cpus`, a pod's limit); undefined when none. */
  cpuLimit?: number;
}

/**
 * How many cells an SB_CELLS value asks for (already validated by CellEnv): a number as it is;
 * `auto` one per core but one — the core left to the PostgreSQL, NATS and Redis the same machine
 * runs, which take about a third of a task's CPU: on 2 cores a second cell only competes with them
 * (measured: docs/benchmarks.md, "Every core") — capped by the cgroup's CPU limit (a container given
 * 2 CPUs of a 32-core host runs 2: its databases are elsewhere), and at least 1.
 */
export function resolveCellCount(value: string, machine: MachineCpus): number {
  if (value !== 'auto') return Number(value);
  if (machine.cpuLimit !== undefined)
    return Math.max(1, Math.min(machine.cores, Math.floor(machine.cpuLimit)));
  return Math.max(1, machine.cores - 1);
}

type Read = (path: string) => string;

/**
 * The CPU limit of the cgroup this process runs in, as its own mount shows it (a container's view):
 * cgroup v2's `cpu.max` ("max 100000" or "<quota> <period>"), else v1's `cpu.cfs_quota_us` (-1: none)
 * over `cpu.cfs_period_us`. Undefined when there is none or it cannot be read.
 */
export function cgroupCpuLimit(read: Read = (p) => readFileSync(p, 'utf8')): number | undefined {
  const quotaOf = (quota: number, period: number) =>
    Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0
      ? quota / period
      : undefined;
  try {
    const [quota, period] = read('/sys/fs/cgroup/cpu.max').trim().split(/\s+/);
    return quota === 'max' ? undefined : quotaOf(Number(quota), Number(period));
  } catch {
    // not cgroup v2 (or no cpu controller there): try v1
  }
  try {
    return quotaOf(
      Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us').trim()),
      Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us').trim()),
    );
  } catch {
    return undefined;
  }
}

/** This machine's, for `auto`. */
export function machineCpus(): MachineCpus {
  const cpuLimit = cgroupCpuLimit();
  return { cores: availableParallelism(), ...(cpuLimit === undefined ? {} : { cpuLimit }) };
}
