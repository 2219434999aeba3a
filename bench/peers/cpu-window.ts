// CPU time per process group over a window, from /proc. Processes come and go during a window
// (PostgreSQL backends of a pool that grows, an autovacuum worker), so the groups are found again at
// every sample: a process first seen after the window opened was born inside it and counts from zero;
// one that exits keeps what it had used at its last sample (at most one interval is lost).
import { cpuMs } from '../core/process-cpu.js';

/** Group name → the pids in it right now. */
export type Discover = () => Map<string, number[]>;

/** CPU ms per group. */
export type GroupCpu = Map<string, number>;

interface Seen {
  group: string;
  first: number;
  last: number;
}

export class CpuWindow {
  private readonly seen = new Map<number, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private readonly openedAt = performance.now();

  private constructor(
    private readonly discover: Discover,
    private readonly read: (pid: number) => number,
  ) {}

  /** Opens a window now and samples every `intervalMs` until `close()`. */
  static open(
    discover: Discover,
    opts: { intervalMs?: number; read?: (pid: number) => number } = {},
  ): CpuWindow {
    const window = new CpuWindow(discover, opts.read ?? cpuMs);
    window.sample(true);
    window.timer = setInterval(() => window.sample(false), opts.intervalMs ?? 200);
    window.timer.unref();
    return window;
  }

  /** Reads every process of every group once; `opening` marks the processes already running. */
  sample(opening = false): void {
    for (const [group, pids] of this.discover()) {
      for (const pid of pids) {
        const now = this.read(pid);
        const seen = this.seen.get(pid);
        if (!seen) this.seen.set(pid, { group, first: opening ? now : 0, last: now });
        else seen.last = Math.max(seen.last, now);
      }
    }
  }

  /** Closes the window: CPU ms per group since it opened, and how long it was open. */
  close(): { cpu: GroupCpu; ms: number } {
    clearInterval(this.timer);
    this.sample();
    const cpu: GroupCpu = new Map();
    for (const { group, first, last } of this.seen.values())
      cpu.set(group, (cpu.get(group) ?? 0) + last - first);
    for (const group of this.discover().keys()) if (!cpu.has(group)) cpu.set(group, 0);
    return { cpu, ms: performance.now() - this.openedAt };
  }
}

/** What a load used beyond what the same processes use idle over a window of the same length. */
export function netOfIdle(loaded: GroupCpu, idle: GroupCpu): GroupCpu {
  const groups = new Set([...loaded.keys(), ...idle.keys()]);
  return new Map([...groups].map((g) => [g, (loaded.get(g) ?? 0) - (idle.get(g) ?? 0)]));
}
