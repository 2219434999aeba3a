// Types for instance.mjs (plain JS so that shell scripts can run it with node alone).

export declare const REPO_ROOT: string;
export declare const TEMPLATE_FILE: string;
export declare const HOSTS: Readonly<{ agents: string; plain: string; sha256: string }>;
export declare const VIRTUAL_HOSTS: readonly string[];
/** The Prosody module (Lua source) that announces the stanza size limit (XEP-0478). */
export declare const STREAM_LIMITS_MODULE: string;
export declare const STACK: Readonly<{
  dir: string;
  c2sPort: number;
  tlsPort: number;
  accountsFile: string;
  accounts: readonly string[];
  host: string;
}>;

export interface ProsodyAccount {
  user: string;
  host: string;
  password: string;
}

export interface StartProsodyOptions {
  /** Directory for config, certificates, data, pidfile and logs (created if missing). */
  dir: string;
  /** STARTTLS/plaintext client port; a free port when omitted. */
  c2sPort?: number;
  /** Direct-TLS client port; a free port when omitted. */
  tlsPort?: number;
  accounts?: ProsodyAccount[];
  /** Listening addresses; default ["127.0.0.1"]. */
  interfaces?: string[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  stanzaSizeLimit?: number;
  timeoutMs?: number;
  /** Let the server outlive this process (the CLI does). */
  detached?: boolean;
  prosodyBin?: string;
}

export interface ProsodyInstance {
  pid: number;
  dir: string;
  configFile: string;
  caFile: string;
  certFile: string;
  logFile: string;
  c2sPort: number;
  tlsPort: number;
  hosts: typeof HOSTS;
  startedAt: string;
  stop(): Promise<void>;
}

export declare function luaString(value: unknown): string;
export declare function getFreePort(host?: string): Promise<number>;
export declare function canConnect(
  port: number,
  host?: string,
  timeoutMs?: number,
): Promise<boolean>;
export declare function isAlive(pid: number): boolean;
export declare function ensureCertificates(options: {
  dir: string;
  hosts?: readonly string[];
  extraNames?: string[];
}): { certDir: string; caFile: string; certFile: string; keyFile: string };
export declare function renderConfig(options: {
  dir: string;
  c2sPort: number;
  tlsPort: number;
  certDir: string;
  certFile: string;
  keyFile: string;
  interfaces?: string[];
  runAsRoot?: boolean;
  logLevel?: string;
  stanzaSizeLimit?: number;
  template?: string;
}): string;
export declare function registerAccount(options: ProsodyAccount & { configFile: string }): void;
export declare function readState(dir: string): Omit<ProsodyInstance, 'stop'> | null;
export declare function runningPid(dir: string): number | null;
export declare function stopPid(pid: number, timeoutMs?: number): Promise<void>;
export declare function stopProsody(options: {
  dir: string;
  timeoutMs?: number;
}): Promise<number | null>;
export declare function startProsody(options: StartProsodyOptions): Promise<ProsodyInstance>;
export declare function ensureStackAccounts(file?: string): ProsodyAccount[];
export declare function startStackProsody(): Promise<ProsodyInstance>;
