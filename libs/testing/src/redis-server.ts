import { existsSync } from 'node:fs';
import { freePort, spawnManaged, tempDir, waitForPort, type ManagedProcess } from './processes.js';

export interface PrivateRedis {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Stops the server (SIGTERM by PID); `start()` brings a new one up on the same port. */
  stop(): Promise<void>;
  /** Starts it again on the same port after `stop()` (an outage that ends). */
  start(): Promise<void>;
}

const CANDIDATES = [
  '/usr/bin/redis-server',
  '/usr/local/bin/redis-server',
  '/usr/sbin/redis-server',
];

export function redisServerBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found)
    throw new Error('redis-server is not installed: run `bash infra/setup.sh --no-start`');
  return found;
}

/**
 * A private redis-server on a free loopback port, with nothing kept on disk: for tests that stop Redis
 * to see what an outage does (the machine's Redis is shared and never stopped).
 */
export async function startPrivateRedis(opts: { port?: number } = {}): Promise<PrivateRedis> {
  const port = opts.port ?? (await freePort());
  const dir = tempDir('redis');
  let proc: ManagedProcess;
  const launch = async () => {
    proc = spawnManaged(
      redisServerBinary(),
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      { name: `redis-${port}`, logDir: dir, cwd: dir },
    );
    await waitForPort(port);
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return proc;
    },
    stop: () => proc.stop(5_000),
    start: launch,
  };
}
