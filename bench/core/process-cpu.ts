// CPU time of the stack's processes, read from /proc (Linux only): the services and sample agents
// `npm run up` recorded in .run/pids, its nats-server (.run/nats/nats.pid), PostgreSQL (every backend)
// and Redis found by their command name. Read-only: nothing here signals a process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Process group name → pids. */
export type ProcessGroups = Map<string, number[]>;

export function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** user + system CPU of one process (all its threads) in ms; 0 once it has gone. */
export function cpuMs(pid: number): number {
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

/**
 * A process and its children (the cells under the primary of several, SB_CELLS > 1), from the
 * kernel's list of each thread's children: a process' own CPU time does not include theirs.
 */
export function withChildren(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      children = children.concat(
        readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number),
      );
  } catch {
    // gone, or no children list on this kernel: the process alone
  }
  return [pid, ...children];
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
      const group = /^(agent|bridge)-/.test(name) ? 'sample agents and their bridges' : name;
      // the cell: with several cells (SB_CELLS), their primary and each cell
      for (const p of name === 'cell' ? withChildren(pid) : [pid]) add(group, p);
    }
  } catch {
    // no .run/pids: a stack started some other way; only the daemons below are counted
  }
  // The stack's own NATS by its pidfile: on a shared machine other nats-servers (tests' private ones)
  // are not the stack's. Without one (a stack started some other way), every nats-server counts.
  let stackNats: number | undefined;
  try {
    stackNats = Number(readFileSync(join(runDir, 'nats', 'nats.pid'), 'utf8').trim());
  } catch {
    stackNats = undefined;
  }
  if (stackNats && commandOf(stackNats) === 'nats-server') add('nats-server', stackNats);
  else stackNats = undefined;
  const daemons: Record<string, string> = {
    ...(stackNats ? {} : { 'nats-server': 'nats-server' }),
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

/** A PostgreSQL server process: a backend serving `database`, or one of the server's own processes. */
export interface PostgresProcess {
  pid: number;
  /** The database a backend (or an autovacuum worker) serves; undefined for the server's own processes. */
  database: string | undefined;
}

/**
 * Every PostgreSQL process on the machine, from /proc. A backend's title (update_process_title, on by
 * default) reads `postgres: [<cluster>: ]<user> <database> <client> <state>`; the server's own
 * processes read `postgres: [<cluster>: ]checkpointer` and the like, the postmaster is its command line.
 */
export function postgresProcesses(): PostgresProcess[] {
  const out: PostgresProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || commandOf(pid) !== 'postgres') continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    out.push({ pid, database: backendDatabase(title) });
  }
  return out;
}

const SERVER_PROCESSES =
  /^(checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector|startup|walreceiver|walsender)/;

/** The database named in a PostgreSQL process title, if it serves one. */
export function backendDatabase(title: string): string | undefined {
  const match = /^postgres: (?:[^:\s]+: )?(.*)$/.exec(title);
  const rest = match?.[1];
  if (rest === undefined || SERVER_PROCESSES.test(rest)) return undefined;
  const vacuum = /^autovacuum worker (\S+)/.exec(rest);
  if (vacuum) return vacuum[1];
  return /^\S+ (\S+) /.exec(rest)?.[1];
}
