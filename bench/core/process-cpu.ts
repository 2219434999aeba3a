// CPU time of the stack's processes, read from /proc (Linux only): the services and sample agents
// `npm run up` recorded in .run/pids, plus nats-server, PostgreSQL (every backend) and Redis found by
// their command name. Read-only: nothing here signals a process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Process group name → pids. */
export type ProcessGroups = Map<string, number[]>;

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** user + system CPU of one process in ms; 0 once it has gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function findStackProcesses(runDir: string): ProcessGroups {
  const groups: ProcessGroups = new Map();
  const add = (group: string, pid: number) =>
    groups.set(group, [...(groups.get(group) ?? []), pid]);
  try {
    for (const file of readdirSync(join(runDir, 'pids'))) {
      const pid = Number(readFileSync(join(runDir, 'pids', file), 'utf8').trim());
      if (!Number.isInteger(pid) || !commandOf(pid)) continue;
      const name = file.replace(/\.pid$/, '');
      add(/^(agent|bridge)-/.test(name) ? 'sample agents and their bridges' : name, pid);
    }
  } catch {
    // no .run/pids: a stack started some other way; only the daemons below are counted
  }
  const daemons: Record<string, string> = {
    'nats-server': 'nats-server',
    postgres: 'PostgreSQL (all backends)',
    'redis-server': 'Redis',
  };
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const group = daemons[commandOf(pid) ?? ''];
    if (group) add(group, pid);
  }
  return groups;
}

/** CPU ms per pid now. */
export function cpuSnapshot(groups: ProcessGroups): Map<number, number> {
  return new Map([...groups.values()].flat().map((pid) => [pid, cpuMs(pid)]));
}

/**
 * CPU ms each group used between two snapshots; `groups` found again at the end, so that backends
 * opened meanwhile count from zero (ones that exited meanwhile are lost: PostgreSQL's are pooled).
 */
export function cpuDelta(
  groups: ProcessGroups,
  before: Map<number, number>,
  after: Map<number, number>,
): [string, number][] {
  return [...groups]
    .map(([group, pids]): [string, number] => [
      group,
      pids.reduce((sum, pid) => sum + (after.get(pid) ?? 0) - (before.get(pid) ?? 0), 0),
    ])
    .sort((a, b) => b[1] - a[1]);
}
