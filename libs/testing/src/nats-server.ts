import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnManaged, tempDir, waitForPort, type ManagedProcess } from './processes.js';
import { repoRoot } from './repo.js';

export interface PrivateNats {
  url: string;
  port: number;
  /** The binary it runs (see natsServerBinary). */
  binary: string;
  /** The running server process; replaced by `start()` after a `stop()`. */
  process: ManagedProcess;
  /** Stops the server (SIGTERM, by PID); its JetStream store is kept for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same store (after `stop()` or `kill()`). */
  start(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/**
 * Where `infra/setup.sh` puts the nats-server the project pins (infra/nats-server.env: 2.10.27, from
 * Debian's trixie package); infra/lib.sh runs the stack's from the same path.
 */
export const NATS_SERVER_BINARY = join(repoRoot, 'tools/bin/nats-server/nats-server');

/**
 * The machine's own nats-server (Debian's package: 2.9.10 on bookworm): what a user who points the
 * platform at their own older server runs; the durable-delivery tests hold on it too.
 */
export function machineNatsServerBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('nats-server is not installed: run `bash infra/setup.sh --no-start`');
  return found;
}

/**
 * The nats-server the project runs (`npm run up`, the chart, docker compose: the version they pin),
 * fetched by `infra/setup.sh`: what every test runs unless it asks for another.
 */
export function natsServerBinary(): string {
  if (!existsSync(NATS_SERVER_BINARY))
    throw new Error(
      `the project's nats-server is not at ${NATS_SERVER_BINARY}: run \`bash infra/setup.sh --no-start\``,
    );
  return NATS_SERVER_BINARY;
}

/**
 * A private nats-server with JetStream on a free port and its own store, so test runs never share
 * subjects, queue groups or streams with each other or with a running stack. `binary` picks the
 * server (default: the project's, natsServerBinary()); `config`, a configuration file it reads (users,
 * TLS: then `scheme` says how clients reach it); `jetstream: false` runs it without JetStream. It can
 * be stopped and started again on the same port with its streams, to play an outage.
 */
export async function startPrivateNats(
  opts: {
    port?: number;
    binary?: string;
    config?: string;
    scheme?: 'nats' | 'tls';
    jetstream?: boolean;
  } = {},
): Promise<PrivateNats> {
  const port = opts.port ?? (await freePort());
  const binary = opts.binary ?? natsServerBinary();
  const dir = tempDir('nats');
  const args = [
    ...(opts.config ? ['-c', opts.config] : []),
    ...['-a', '127.0.0.1', '-p', String(port)],
    ...(opts.jetstream === false ? [] : ['-js', '-sd', dir]),
  ];
  let run = 0;
  const spawn = async (): Promise<ManagedProcess> => {
    const proc = spawnManaged(binary, args, {
      name: `nats-${port}${run++ ? `-${run}` : ''}`,
      logDir: dir,
    });
    await waitForPort(port);
    return proc;
  };
  const nats: PrivateNats = {
    url: `${opts.scheme ?? 'nats'}://127.0.0.1:${port}`,
    port,
    binary,
    process: await spawn(),
    stop: () => nats.process.stop(5_000),
    kill: () => nats.process.kill(),
    start: async () => {
      await nats.process.stop(5_000);
      nats.process = await spawn();
    },
  };
  return nats;
}
