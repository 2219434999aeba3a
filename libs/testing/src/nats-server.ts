import { existsSync } from 'node:fs';
import { freePort, spawnManaged, tempDir, waitForPort, type ManagedProcess } from './processes.js';

export interface PrivateNats {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

export function natsServerBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('nats-server is not installed: run `bash infra/setup.sh --no-start`');
  return found;
}

/**
 * A private nats-server with JetStream on a free port and its own store, so test runs never share
 * subjects, queue groups or streams with each other or with a running stack.
 */
export async function startPrivateNats(opts: { port?: number } = {}): Promise<PrivateNats> {
  const port = opts.port ?? (await freePort());
  const dir = tempDir('nats');
  const proc = spawnManaged(
    natsServerBinary(),
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
    {
      name: `nats-${port}`,
      logDir: dir,
    },
  );
  await waitForPort(port);
  return { url: `nats://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop(5_000) };
}
