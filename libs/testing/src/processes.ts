import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

/**
 * A free loopback port for a process to listen on later. Picked at random below the kernel's
 * ephemeral range (ip_local_port_range) and checked: a port from listen(0) comes from that range,
 * where every other process's outgoing connections are numbered too, so one of them could take it
 * between the pick and the listen (a CI run's chart-pods cell failed with EADDRINUSE). Below it only
 * another listener can, and none holds it when it is picked.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = portBelowEphemeral(0);
    if (await listenable(port)) return port;
  }
  return listenOnce(0);
}

/**
 * A random port from which `span` ports on are all below the kernel's ephemeral range (see
 * freePort): for a set of ports a process listens on later, each checked free by the caller.
 */
export function portBelowEphemeral(span: number): number {
  const top = ephemeralLow() - 1 - span;
  const bottom = Math.min(10_000, top - 1_000);
  return bottom + Math.floor(Math.random() * (top - bottom));
}

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const listenable = (port: number): Promise<boolean> =>
  listenOnce(port).then(
    () => true,
    () => false,
  );

/** Listens on `port` (0: any) on loopback, closes, and resolves with the port it had. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sb-${prefix}-`));
}

const leftovers = new Set<string>();
let exitHook = false;

/**
 * A temporary directory removed by `remove()` or, failing that (a test that kills its process, or
 * never reaches its clean-up), when the test process exits.
 */
export function disposableTempDir(prefix: string): { path: string; remove(): void } {
  const path = tempDir(prefix);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
    });
  }
  leftovers.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      leftovers.delete(path);
    },
  };
}

export interface ManagedProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  /**
   * Resolves once the process has exited and all it wrote is in its log file (its output streams
   * closed): what a test reading `logs()` after the exit awaits.
   */
  readonly settled: Promise<void>;
  logs(): string;
  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL by PID (simulates a crash). */
  kill(): Promise<void>;
}

/** Spawns a process we own, with its output in a log file; stopped only by its PID. */
export function spawnManaged(
  command: string,
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; name: string; logDir?: string },
): ManagedProcess {
  const logFile = join(opts.logDir ?? tempDir('logs'), `${opts.name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The log ends when both streams have (not when the first does), so no late line is lost.
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out, { end: false });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  // 'exit' can come before the last output is read: 'close' (its streams ended), then the file flushed.
  const settled = new Promise<void>((resolve) => {
    child.once('close', () => out.end(() => resolve()));
  });
  let isExited = false;
  void exited.then(() => (isExited = true));
  const signalAndWait = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (isExited) return;
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (!isExited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid,
    logFile,
    child,
    exited,
    settled,
    logs: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: (graceMs = 10_000) => signalAndWait('SIGTERM', graceMs),
    kill: () => signalAndWait('SIGKILL', 5_000),
  };
}

/** Whether something accepts TCP connections on host:port right now. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Whether port can be listened on at host right now (nothing holds it). */
export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Whether PID names a running process (a zombie, exited but not yet reaped, does not run). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 15_000,
): Promise<void> {
  await waitFor(() => portOpen(port, host), { timeoutMs, what: `port ${host}:${port}` });
}

/**
 * Runs `start` for each item, as many at once as the machine has cores, taking items in order: what
 * starting processes wants (a Node service's start-up is CPU-bound; more at once only slows each).
 * Every start is awaited before the first failure is thrown, so none is left running unrecorded.
 */
export async function atCoreWidth<T>(items: T[], start: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const width = Math.max(1, Math.min(availableParallelism(), queue.length));
  const results = await Promise.allSettled(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await start(item);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
