// Resident memory of each system after the run: what its processes hold in RAM (VmRSS), by process
// group, read from /proc. The PostgreSQL server's own processes are shared and left out, as in the
// CPU budget; its backends serving a system's databases are the system's.
import { readFileSync } from 'node:fs';
import { PG_SERVER } from './bench-system.js';

/** VmRSS of a process in MiB, from /proc/<pid>/status; undefined once it has gone. */
export function residentMiB(
  pid: number,
  read = (path: string) => readFileSync(path, 'utf8'),
): number | undefined {
  let status: string;
  try {
    status = read(`/proc/${pid}/status`);
  } catch {
    return undefined;
  }
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

export interface SystemMemory {
  system: string;
  totalMiB: number;
  groups: Array<{ group: string; MiB: number }>;
}

/** A system's resident memory by process group (the shared PostgreSQL server excluded). */
export function systemMemory(
  system: string,
  groups: Map<string, number[]>,
  rss: (pid: number) => number | undefined = (pid) => residentMiB(pid),
): SystemMemory {
  const rows = [...groups]
    .filter(([group]) => group !== PG_SERVER)
    .map(([group, pids]) => ({ group, MiB: pids.reduce((sum, p) => sum + (rss(p) ?? 0), 0) }));
  return { system, totalMiB: rows.reduce((s, r) => s + r.MiB, 0), groups: rows };
}

/** The report's lines: each system's total and its groups, largest first. */
export function memoryLines(systems: SystemMemory[]): string[] {
  return [
    'resident memory after the run (VmRSS; the shared PostgreSQL server left out):',
    ...systems.map(
      (m) =>
        `  ${m.system}: ${m.totalMiB.toFixed(0)} MiB (${[...m.groups]
          .sort((a, b) => b.MiB - a.MiB)
          .map((g) => `${g.group} ${g.MiB.toFixed(0)}`)
          .join(', ')})`,
    ),
  ];
}
