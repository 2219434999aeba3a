// A private Prosody for a test: its own temp dir, free ports on 127.0.0.1, a CA the test can trust,
// and accounts registered before it returns. The work is done by infra/prosody/instance.mjs (plain JS,
// shared with the local stack's scripts); this wrapper only finds it and adds types and clean-up.
//
//   const xmpp = await startPrivateProsody({ accounts: [{ user: 'bridge', host: PROSODY_HOSTS.agents, password: 'pw' }] });
//   ... connect to xmpp://127.0.0.1:${xmpp.c2sPort} (trust xmpp.caFile) ...
//   await xmpp.stop();
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The virtual hosts every private instance serves. */
export const PROSODY_HOSTS = {
  /** TLS required (STARTTLS on c2sPort, or direct TLS on tlsPort). */
  agents: 'agents.switchboard.local',
  /** No TLS at all: plaintext tests (SCRAM-SHA-1 only). */
  plain: 'plain.switchboard.local',
  /** SHA-256 password hashes: SCRAM-SHA-256 and PLAIN are offered, SCRAM-SHA-1 is not. */
  sha256: 'sha256.switchboard.local',
} as const;

export interface PrivateProsodyAccount {
  user: string;
  host: string;
  password: string;
}

export interface StartPrivateProsodyOptions {
  /** Where config, certificates, data and logs go; a fresh temp dir (removed by stop()) when omitted. */
  dir?: string;
  /** STARTTLS/plaintext client port; a free port when omitted. */
  c2sPort?: number;
  /** Direct-TLS client port; a free port when omitted. */
  tlsPort?: number;
  accounts?: PrivateProsodyAccount[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** c2s_stanza_size_limit in bytes (default: the stack's, 4 MiB). */
  stanzaSizeLimit?: number;
  /** How long to wait for the ports to open (default 20 s). */
  timeoutMs?: number;
}

export interface PrivateProsody {
  pid: number;
  dir: string;
  configFile: string;
  /** The instance's CA certificate (PEM file): trust it for STARTTLS and direct TLS. */
  caFile: string;
  logFile: string;
  host: '127.0.0.1';
  c2sPort: number;
  tlsPort: number;
  hosts: typeof PROSODY_HOSTS;
  /** Registers (or re-sets the password of) an account on the running instance. */
  registerAccount(account: PrivateProsodyAccount): void;
  /** Stops the server (by PID) and removes the temp dir when this helper created it. */
  stop(): Promise<void>;
}

interface InstanceModule {
  startProsody(options: {
    dir: string;
    c2sPort?: number;
    tlsPort?: number;
    accounts?: PrivateProsodyAccount[];
    logLevel?: string;
    stanzaSizeLimit?: number;
    timeoutMs?: number;
    detached?: boolean;
  }): Promise<{
    pid: number;
    dir: string;
    configFile: string;
    caFile: string;
    logFile: string;
    c2sPort: number;
    tlsPort: number;
    stop(): Promise<void>;
  }>;
  registerAccount(options: PrivateProsodyAccount & { configFile: string }): void;
}

const INSTANCE_MODULE = join('infra', 'prosody', 'instance.mjs');

/** The repo's infra/prosody/instance.mjs: searched upwards from this file, then from the cwd. */
export function findProsodyInstanceModule(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const candidate = join(dir, INSTANCE_MODULE);
      if (existsSync(candidate)) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`cannot find ${INSTANCE_MODULE} above ${starts.join(' or ')}`);
}

let loaded: Promise<InstanceModule> | undefined;

function loadInstanceModule(): Promise<InstanceModule> {
  // A computed specifier: the module lives outside every Nx project's sources on purpose.
  const href = pathToFileURL(findProsodyInstanceModule()).href;
  loaded ??= import(href) as Promise<InstanceModule>;
  return loaded;
}

/** Starts a private Prosody 0.12 (needs the `prosody` and `openssl` binaries: infra/setup.sh). */
export async function startPrivateProsody(
  options: StartPrivateProsodyOptions = {},
): Promise<PrivateProsody> {
  const mod = await loadInstanceModule();
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sb-prosody-'));
  try {
    const started = await mod.startProsody({
      dir,
      accounts: options.accounts ?? [],
      ...(options.c2sPort !== undefined && { c2sPort: options.c2sPort }),
      ...(options.tlsPort !== undefined && { tlsPort: options.tlsPort }),
      ...(options.logLevel !== undefined && { logLevel: options.logLevel }),
      ...(options.stanzaSizeLimit !== undefined && { stanzaSizeLimit: options.stanzaSizeLimit }),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    });
    return {
      pid: started.pid,
      dir: started.dir,
      configFile: started.configFile,
      caFile: started.caFile,
      logFile: started.logFile,
      host: '127.0.0.1',
      c2sPort: started.c2sPort,
      tlsPort: started.tlsPort,
      hosts: PROSODY_HOSTS,
      registerAccount: (account) =>
        mod.registerAccount({ configFile: started.configFile, ...account }),
      stop: async () => {
        await started.stop();
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
