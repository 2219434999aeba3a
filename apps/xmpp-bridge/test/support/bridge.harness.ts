// Real bridge processes (dist/apps/xmpp-bridge/src/main.js and doctor.js) for the integration tests,
// the local HTTP target (http-target.harness.ts), and a private nats-server with the stack's settings.
import {
  type BusClient,
  createBusClient,
  freePort,
  natsServerBinary,
  repoRoot,
  spawnManaged,
  startPrivateProsody,
  startService,
  tempDir,
  waitForPort,
  type ManagedProcess,
  type PrivateProsody,
  type ServiceHandle,
} from '@switchboard/testing';
import type { DomainError } from '@switchboard/contracts';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type HttpTarget, startHttpTarget } from './http-target.harness.js';

export {
  type HttpTarget,
  pattern,
  REPEATED_COOKIES,
  startHttpTarget,
  type TargetStream,
} from './http-target.harness.js';

export const MAIN = join(repoRoot, 'dist/apps/xmpp-bridge/src/main.js');
export const DOCTOR = join(repoRoot, 'dist/apps/xmpp-bridge/src/doctor.js');
export const PYTHON = '/usr/bin/python3';
export const SLIXMPP_PEER = join(repoRoot, 'tools/xmpp/slixmpp_http_peer.py');

/** The settings every bridge of a test shares: the private Prosody, its CA, fast reconnects. */
export function xmppEnv(
  xmpp: PrivateProsody,
  user: string,
  password: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    AZTM_HOST: '127.0.0.1',
    AZTM_PORT: String(xmpp.c2sPort),
    AZTM_JID: `${user}@${xmpp.hosts.agents}`,
    AZTM_PASSWORD: password,
    AZTM_XMPP_TIMEOUT: '20',
    XMPP_BRIDGE_CA_FILE: xmpp.caFile,
    XMPP_BRIDGE_RECONNECT_INITIAL_MS: '100',
    XMPP_BRIDGE_RECONNECT_MAX_MS: '1000',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts a bridge and waits for /readiness (which includes the XMPP login). */
export function startBridge(name: string, env: Record<string, string>): Promise<ServiceHandle> {
  return startService(name, env, { entry: MAIN, readyTimeoutMs: 30_000 });
}

export interface Exited {
  code: number | string;
  /** The harness stopped it at its deadline: it had not ended on its own. */
  killed: boolean;
  logs: string;
  /** The message of the fatal log line (the one-line diagnosis). */
  fatal: string | undefined;
}

/** Runs a bridge that is expected to stop, and returns how (with the fatal line it logged). */
export async function runBridgeToExit(
  name: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<Exited> {
  const proc = spawnManaged(process.execPath, [MAIN], {
    name,
    env: { NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', ...env },
    cwd: repoRoot,
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    void proc.kill();
  }, timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  // 'exit' can come before its last lines (the fatal diagnosis) are read: read the log once its
  // output streams closed and the file is flushed (a clean-clone CI run missed the line so).
  await proc.settled;
  const logs = proc.logs();
  const fatal = logs
    .split('\n')
    .filter((l) => l.includes('"level":"fatal"'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg)[0];
  return { code, killed, logs, fatal };
}

/** Runs the doctor with the bridge's settings; resolves with its exit code, output and whether the
 * harness had to stop it at `timeoutMs`. */
export function runDoctor(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number; out: string; killed: boolean }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DOCTOR],
      { env: { ...process.env, PORT: '0', ...env }, timeout: timeoutMs, cwd: repoRoot },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          out: `${stdout}${stderr}`,
          killed: err?.killed === true,
        });
      },
    );
  });
}

export interface StackNats {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** The settings file infra/setup.sh, docker-compose.yml and the chart run NATS with. */
export const STACK_NATS_CONF = join(repoRoot, 'infra/docker/nats.conf');

/** A private nats-server started exactly as infra/setup.sh starts the stack's (its settings file). */
export async function startStackNats(): Promise<StackNats> {
  const port = await freePort();
  const dir = tempDir('nats-stack');
  const args = ['-c', STACK_NATS_CONF, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
  const proc = spawnManaged(natsServerBinary(), args, { name: `nats-${port}`, logDir: dir });
  await waitForPort(port);
  return { url: `nats://127.0.0.1:${port}`, process: proc, stop: () => proc.stop(5_000) };
}

/** One JSON line the slixmpp peer (tools/xmpp/slixmpp_http_peer.py) printed. */
export interface PeerEvent {
  event: string;
  [key: string]: unknown;
}

/** The slixmpp peer's events in its output. */
export const peerEvents = (out: string): PeerEvent[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PeerEvent);

/** The slixmpp peer's flags to log in to the private Prosody's agents host as `user/resource`. */
export function slixmppPeerArgs(xmpp: PrivateProsody, user: string, resource: string): string[] {
  return [
    '--jid',
    `${user}@${xmpp.hosts.agents}`,
    '--resource',
    resource,
    '--host',
    '127.0.0.1',
    '--port',
    String(xmpp.c2sPort),
    '--ca',
    xmpp.caFile,
  ];
}

/** One request of a slixmpp client (`user/cli`) to the full JID `to`; resolves with its last event. */
export function slixmppRequest(
  xmpp: PrivateProsody,
  account: { user: string; password: string },
  to: string,
  extra: string[],
): Promise<PeerEvent> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      [
        '-u',
        SLIXMPP_PEER,
        'request',
        ...slixmppPeerArgs(xmpp, account.user, 'cli'),
        '--to',
        to,
        ...extra,
      ],
      { env: { ...process.env, XMPP_PASSWORD: account.password }, timeout: 30_000, cwd: repoRoot },
      (err, stdout, stderr) => {
        const last = peerEvents(stdout).pop();
        if (last) resolve(last);
        else reject(new Error(`slixmpp peer failed: ${String(err)}\n${stdout}\n${stderr}`));
      },
    );
  });
}

/** Exchange timeouts of the fault tests: minutes, so an outcome within WITHIN_SECONDS is not one. */
export const MINUTES = 120_000;
/** Wide behavioural bound: far below every timeout in play, far above any normal delay. */
export const WITHIN_SECONDS = 20_000;

/** The error `p` fails with, or undefined when it succeeds. */
export function failureOf(p: Promise<unknown>): Promise<DomainError | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as DomainError,
  );
}

/** The XMPP domain of the private Prosody (`agents` host) that bridge pairs log in to. */
export const AGENTS_DOMAIN = 'agents.switchboard.local';

export interface BridgePair<Accounts extends Record<string, string> = Record<never, string>> {
  xmpp: PrivateProsody;
  nats: StackNats;
  /** The agent's local HTTP server, on a unix socket: it listens on no TCP port at all. */
  target: HttpTarget;
  /** Server mode, no NATS commands: `agent@…/agent-1`, allows `platform@…`. */
  agent: ServiceHandle;
  /** NATS role: maps `agent.example` to the agent's JID. */
  platform: ServiceHandle;
  /** A NatsBus client acting as the a2a service. */
  client: BusClient;
  /** Prosody's accounts: user → password. */
  passwords: { platform: string; agent: string } & Accounts;
  /** Starts that bridge again with the environment it had (after a test killed it). */
  restart(role: 'agent' | 'platform'): Promise<ServiceHandle>;
  stop(): Promise<void>;
}

type ExtraEnv = (parts: { nats: StackNats; target: HttpTarget }) => Record<string, string>;

/**
 * The platform's bridge and an agent's bridge through a private Prosody, with the agent's HTTP target
 * and a NATS started with the stack's settings; `accounts` adds more users to Prosody, `agentEnv` and
 * `platformEnv` add to each bridge's environment. The agent's bridge is given the private NATS too
 * (it must never connect to it, and must never reach for the machine's).
 */
export async function startBridgePair<
  Accounts extends Record<string, string> = Record<never, string>,
>(
  opts: {
    accounts?: Accounts;
    agentEnv?: ExtraEnv;
    platformEnv?: ExtraEnv;
  } = {},
): Promise<BridgePair<Accounts>> {
  const pw = {
    platform: 'platform-pw',
    agent: 'agent-pw',
    ...opts.accounts,
  } as BridgePair<Accounts>['passwords'];
  const socketDir = tempDir('agent-socket');
  const started: Partial<BridgePair<Accounts>> = {};
  const stop = async () => {
    await started.client?.close();
    await Promise.allSettled([started.platform?.stop(), started.agent?.stop()]);
    await started.target?.close();
    await started.nats?.stop();
    await started.xmpp?.stop();
    rmSync(socketDir, { recursive: true, force: true });
  };
  try {
    const xmpp = (started.xmpp = await startPrivateProsody({
      accounts: Object.entries(pw).map(([user, password]) => ({
        user,
        host: AGENTS_DOMAIN,
        password,
      })),
    }));
    const nats = (started.nats = await startStackNats());
    const target = (started.target = await startHttpTarget({
      socket: join(socketDir, 'agent.sock'),
    }));
    started.agent = await startBridge(
      'agent-bridge',
      xmppEnv(xmpp, 'agent', pw.agent, {
        XMPP_BRIDGE_NATS_COMMANDS: 'false',
        XMPP_BRIDGE_HTTP_TARGET: target.url,
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: target.socket ?? '',
        XMPP_BRIDGE_ALLOWED_JIDS: `platform@${AGENTS_DOMAIN}`,
        XMPP_BRIDGE_RESOURCE: 'agent-1',
        NATS_SERVERS: nats.url,
        ...opts.agentEnv?.({ nats, target }),
      }),
    );
    started.platform = await startBridge(
      'platform-bridge',
      xmppEnv(xmpp, 'platform', pw.platform, {
        NATS_SERVERS: nats.url,
        SERVICE_MAP: JSON.stringify({ 'agent.example': `agent@${AGENTS_DOMAIN}` }),
        ...opts.platformEnv?.({ nats, target }),
      }),
    );
    started.client = await createBusClient(nats.url, 'a2a');
  } catch (e) {
    await stop();
    throw e;
  }
  const names = { agent: 'agent-bridge', platform: 'platform-bridge' } as const;
  const restart = async (role: 'agent' | 'platform') => {
    const previous = started[role] as ServiceHandle;
    await previous.stop();
    const { PORT: _port, ...env } = previous.env;
    started[role] = await startBridge(names[role], env);
    return started[role];
  };
  const s = started as Omit<BridgePair<Accounts>, 'passwords' | 'stop' | 'restart'>;
  return {
    xmpp: s.xmpp,
    nats: s.nats,
    target: s.target,
    client: s.client,
    // The bridges as they are now: a restart replaces them.
    get agent() {
      return started.agent as ServiceHandle;
    },
    get platform() {
      return started.platform as ServiceHandle;
    },
    passwords: pw,
    restart,
    stop,
  };
}
