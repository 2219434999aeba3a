#!/usr/bin/env node
// Private Prosody instances for the local stack and for tests: a CA and leaf certificate made with
// openssl, a config rendered from prosody.cfg.lua.tmpl, `prosody --config FILE -F` in the background,
// accounts registered with prosodyctl. Node built-ins only; used as a module and as a CLI:
//
//   node infra/prosody/instance.mjs start --dir DIR [--c2s-port N] [--tls-port N] [--account user@host=password]...
//   node infra/prosody/instance.mjs stop --dir DIR
//   node infra/prosody/instance.mjs status --dir DIR
//   node infra/prosody/instance.mjs register --dir DIR USER HOST PASSWORD
//   node infra/prosody/instance.mjs stack [start|stop|status]   (the local stack: .run/prosody, 5222/5223;
//                                                              SB_RUN_DIR, SB_XMPP_PORT, SB_XMPP_TLS_PORT move it)
//   node infra/prosody/instance.mjs run --dir DIR ...            (foreground, for containers: exits with Prosody)
// Options for start/run: --interface IP (repeatable), --san NAME (extra certificate name, repeatable),
// --cert FILE --key FILE [--ca FILE] (use these instead of generating a CA), --log-level LEVEL.
//
// Never run `prosody --version`: Prosody has no such flag and starts the server instead.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
export const TEMPLATE_FILE = join(here, 'prosody.cfg.lua.tmpl');

/** The virtual hosts every instance serves (see the template). */
export const HOSTS = Object.freeze({
  agents: 'agents.switchboard.local',
  plain: 'plain.switchboard.local',
  sha256: 'sha256.switchboard.local',
});
export const VIRTUAL_HOSTS = Object.freeze(Object.values(HOSTS));

/** A port from the environment (infra/lib.sh checks the same): digits within 1024-65535. */
function envPort(name, fallback) {
  const raw = process.env[name] || String(fallback);
  const port = /^[1-9]\d{3,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1024 && port <= 65535)) {
    throw new Error(`${name} must be a port number between 1024 and 65535 (got: '${raw}')`);
  }
  return port;
}

/**
 * The local stack's instance (`npm run up`); SB_RUN_DIR and the SB_XMPP_* ports move it. Read when
 * used, so that a bad setting is reported by the CLI as one line rather than failing the import.
 */
export function stackInstance() {
  const runDir = resolve(process.env.SB_RUN_DIR || join(REPO_ROOT, '.run'));
  return Object.freeze({
    dir: join(runDir, 'prosody'),
    c2sPort: envPort('SB_XMPP_PORT', 5222),
    tlsPort: envPort('SB_XMPP_TLS_PORT', 5223),
    accountsFile: join(runDir, 'xmpp-accounts.env'),
    accounts: Object.freeze(['platform', 'researcher', 'writer']),
    host: HOSTS.agents,
  });
}

const DEFAULT_STANZA_SIZE_LIMIT = 4 * 1024 * 1024;

/**
 * A Prosody module that announces the stanza size limit in the stream features (XEP-0478 stream
 * limits): Prosody 0.12 enforces c2s_stanza_size_limit — a larger stanza closes the client's whole
 * stream — without telling clients; Prosody 13 announces it itself (the module then steps aside).
 * The bridges read it and keep every stanza under it. Written into each instance's directory.
 */
export const STREAM_LIMITS_MODULE = `-- XEP-0478 stream limits advertisement (written by infra/prosody/instance.mjs).
local xmlns_limits = "urn:xmpp:stream-limits:0";
local unauthed_limit = module:get_option_number("c2s_unauthed_stanza_size_limit", 10000);
local authed_limit = module:get_option_number("c2s_stanza_size_limit", 1024 * 256);

module:hook("stream-features", function (event)
	local features = event.features;
	if features:get_child("limits", xmlns_limits) then return; end
	local session = event.origin;
	local limit = session.stanza_size_limit or (session.username and authed_limit or unauthed_limit);
	features:tag("limits", { xmlns = xmlns_limits }):text_tag("max-bytes", string.format("%d", limit)):up();
end, -100);
`;
const DEFAULT_START_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A Lua string literal. */
export function luaString(value) {
  const s = String(value)
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `"${s}"`;
}

/** A port that is free on 127.0.0.1 right now (the OS picks it). */
export function getFreePort(host = '127.0.0.1') {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Resolves true when a TCP connection to host:port is accepted. */
export function canConnect(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((res) => {
    const socket = connect({ port, host });
    const done = (ok) => {
      socket.removeAllListeners();
      socket.destroy();
      res(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...options });
  if (r.error) {
    if (r.error.code === 'ENOENT') {
      throw new Error(
        `${cmd} is not installed (run infra/setup.sh, or apt-get install -y ${cmd === 'prosodyctl' ? 'prosody' : cmd})`,
      );
    }
    throw r.error;
  }
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited with ${r.status}: ${(r.stderr || r.stdout || '').trim()}`,
    );
  }
  return r.stdout;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// ---------------------------------------------------------------------------------------------------
// Certificates

/**
 * A CA and a leaf certificate for every virtual host plus localhost/127.0.0.1, in DIR/certs.
 * Kept when they already exist for the same names and are still valid for a day.
 */
export function ensureCertificates({ dir, hosts = VIRTUAL_HOSTS, extraNames = [] }) {
  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const caFile = join(certDir, 'ca.crt');
  const caKey = join(certDir, 'ca.key');
  const certFile = join(certDir, 'server.crt');
  const keyFile = join(certDir, 'server.key');
  const namesFile = join(certDir, 'names.txt');

  const dnsNames = [...new Set([...hosts, 'localhost', ...extraNames])];
  const san = [...dnsNames.map((n) => `DNS:${n}`), 'IP:127.0.0.1', 'IP:::1'].join(',');

  const valid = (file) =>
    existsSync(file) &&
    spawnSync('openssl', ['x509', '-checkend', '86400', '-noout', '-in', file]).status === 0;

  if (!valid(caFile) || !existsSync(caKey)) {
    run('openssl', [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      caKey,
      '-out',
      caFile,
      '-days',
      '3650',
      '-subj',
      '/O=Switchboard/CN=Switchboard private XMPP CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    rmSync(certFile, { force: true });
  }
  const sameNames = existsSync(namesFile) && readFileSync(namesFile, 'utf8') === san;
  if (!sameNames || !valid(certFile) || !existsSync(keyFile)) {
    const csr = join(certDir, 'server.csr');
    const ext = join(certDir, 'server.ext');
    writeFileSync(
      ext,
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
        '',
      ].join('\n'),
    );
    run('openssl', [
      'req',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      keyFile,
      '-out',
      csr,
      '-subj',
      `/O=Switchboard/CN=${hosts[0]}`,
    ]);
    run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '825',
      '-sha256',
      '-extfile',
      ext,
    ]);
    rmSync(csr, { force: true });
    writeFileSync(namesFile, san);
  }
  return { certDir, caFile, certFile, keyFile };
}

// ---------------------------------------------------------------------------------------------------
// Config

/** The config text for an instance in `dir` (paths must be absolute). */
export function renderConfig({
  dir,
  c2sPort,
  tlsPort,
  certDir,
  certFile,
  keyFile,
  interfaces = ['127.0.0.1'],
  runAsRoot = isRoot(),
  logLevel = 'info',
  stanzaSizeLimit = DEFAULT_STANZA_SIZE_LIMIT,
  template = readFileSync(TEMPLATE_FILE, 'utf8'),
}) {
  const values = {
    RUN_AS_ROOT: runAsRoot ? 'true' : 'false',
    PIDFILE: luaString(join(dir, 'prosody.pid')),
    DATA_PATH: luaString(join(dir, 'data')),
    INTERFACES: `{ ${interfaces.map(luaString).join(', ')} }`,
    C2S_PORT: String(Number(c2sPort)),
    TLS_PORT: String(Number(tlsPort)),
    CERT_DIR: luaString(certDir),
    CERT_FILE: luaString(certFile),
    KEY_FILE: luaString(keyFile),
    STANZA_SIZE_LIMIT: String(Number(stanzaSizeLimit)),
    PLUGIN_DIR: luaString(join(dir, 'modules')),
    LOG_LEVEL: luaString(logLevel),
    LOG_FILE: luaString(join(dir, 'prosody.log')),
  };
  const text = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (m, key) => {
    if (!(key in values)) throw new Error(`prosody template: unknown placeholder ${m}`);
    return values[key];
  });
  return text;
}

// ---------------------------------------------------------------------------------------------------
// Accounts

/** Registers (or re-sets the password of) user@host with prosodyctl. */
export function registerAccount({ configFile, user, host, password }) {
  if (!configFile || !user || !host || !password) {
    throw new Error('registerAccount needs configFile, user, host and password');
  }
  run('prosodyctl', ['--config', configFile, 'register', user, host, password]);
}

function parseAccount(spec) {
  // user@host=password
  const m = /^([^@=\s]+)@([^=\s]+)=(.+)$/.exec(spec);
  if (!m) throw new Error(`bad --account "${spec}" (expected user@host=password)`);
  return { user: m[1], host: m[2], password: m[3] };
}

// ---------------------------------------------------------------------------------------------------
// Process control

function stateFile(dir) {
  return join(dir, 'instance.json');
}

/** What a previous start() recorded in DIR (or null). */
export function readState(dir) {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8'));
  } catch {
    return null;
  }
}

/** The PID of the Prosody running from DIR, or null. */
export function runningPid(dir) {
  const candidates = [];
  const state = readState(dir);
  if (state?.pid) candidates.push(Number(state.pid));
  try {
    candidates.push(Number(readFileSync(join(dir, 'prosody.pid'), 'utf8').trim()));
  } catch {
    /* no pidfile */
  }
  for (const pid of candidates) {
    if (!isAlive(pid)) continue;
    const cmd = commandLine(pid);
    // Only ever signal a process that is Prosody with this instance's config.
    if (cmd === null || (cmd.includes('prosody') && cmd.includes(join(dir, 'prosody.cfg.lua'))))
      return pid;
  }
  return null;
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Stops a Prosody by PID: SIGTERM, then SIGKILL after timeoutMs. Resolves once it is gone. */
export async function stopPid(pid, timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitForExit(pid, timeoutMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitForExit(pid, 5_000);
}

/** Stops the instance running from DIR, if any. Returns its PID (or null). */
export async function stopProsody({ dir, timeoutMs = DEFAULT_STOP_TIMEOUT_MS }) {
  const absDir = resolve(dir);
  const pid = runningPid(absDir);
  if (pid) await stopPid(pid, timeoutMs);
  return pid;
}

/**
 * Starts a private Prosody in DIR (created if missing) and resolves once both ports accept
 * connections and the accounts are registered. An instance already running from DIR is stopped first.
 *
 * @returns {Promise<{pid:number, dir:string, configFile:string, caFile:string, certFile:string,
 *   logFile:string, c2sPort:number, tlsPort:number, hosts:typeof HOSTS, stop:() => Promise<void>}>}
 */
export async function startProsody({
  dir,
  c2sPort,
  tlsPort,
  accounts = [],
  interfaces = ['127.0.0.1'],
  logLevel = 'info',
  stanzaSizeLimit = DEFAULT_STANZA_SIZE_LIMIT,
  timeoutMs = DEFAULT_START_TIMEOUT_MS,
  detached = false,
  prosodyBin = 'prosody',
  extraNames = [],
  certificates,
} = {}) {
  if (!dir) throw new Error('startProsody needs a dir');
  const absDir = resolve(dir);
  mkdirSync(join(absDir, 'data'), { recursive: true });
  c2sPort = c2sPort ?? (await getFreePort());
  if (tlsPort === undefined) {
    do tlsPort = await getFreePort();
    while (tlsPort === c2sPort);
  }
  if (c2sPort === tlsPort) throw new Error('c2sPort and tlsPort must differ');

  const previous = runningPid(absDir);
  if (previous) await stopPid(previous);

  const certs = certificates
    ? {
        ...certificates,
        certDir: dirname(resolve(certificates.certFile)),
        caFile: certificates.caFile ?? null,
      }
    : ensureCertificates({ dir: absDir, extraNames });
  const configFile = join(absDir, 'prosody.cfg.lua');
  mkdirSync(join(absDir, 'modules'), { recursive: true });
  writeFileSync(join(absDir, 'modules', 'mod_stream_limits.lua'), STREAM_LIMITS_MODULE);
  writeFileSync(
    configFile,
    renderConfig({
      dir: absDir,
      c2sPort,
      tlsPort,
      interfaces,
      logLevel,
      stanzaSizeLimit,
      ...certs,
    }),
  );

  // Accounts first: internal storage is read at login, so they are there before anyone connects.
  for (const account of accounts) registerAccount({ configFile, ...account });

  for (const port of [c2sPort, tlsPort]) {
    if (await canConnect(port, '127.0.0.1', 300)) {
      throw new Error(
        `port ${port} on 127.0.0.1 is already in use; pick other ports or stop what holds it`,
      );
    }
  }

  const logFile = join(absDir, 'prosody.log');
  const consoleLog = join(absDir, 'prosody.console.log');
  rmSync(join(absDir, 'prosody.pid'), { force: true });
  const out = openSync(consoleLog, 'a');
  let child;
  try {
    child = spawn(prosodyBin, ['--config', configFile, '-F'], {
      cwd: absDir,
      detached,
      stdio: ['ignore', out, out],
      env: { ...process.env },
    });
  } finally {
    closeSync(out);
  }
  let spawnFailure = null;
  child.once('error', (err) => {
    spawnFailure = err;
  });
  if (detached) child.unref();
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });

  const pid = child.pid;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sleep(0);
    if (spawnFailure) {
      throw new Error(
        spawnFailure.code === 'ENOENT'
          ? `${prosodyBin} is not installed (run infra/setup.sh, or apt-get install -y prosody)`
          : String(spawnFailure),
      );
    }
    if (exited || (pid && !isAlive(pid))) {
      throw new Error(
        `prosody exited during start-up (${JSON.stringify(exited ?? {})}); see ${logFile}\n` +
          `${tail(consoleLog, 15)}\n${tail(logFile, 15)}`,
      );
    }
    const [a, b] = await Promise.all([
      canConnect(c2sPort, '127.0.0.1', 500),
      canConnect(tlsPort, '127.0.0.1', 500),
    ]);
    // Up means listening and its pidfile written (Prosody writes it just after it starts listening;
    // `down` and `status` find the instance by it).
    if (a && b && existsSync(join(absDir, 'prosody.pid'))) break;
    if (Date.now() > deadline) {
      await stopPid(pid);
      throw new Error(
        `prosody did not open ports ${c2sPort}/${tlsPort} and write its pidfile within ${timeoutMs} ms; see ${logFile}\n${tail(logFile, 20)}`,
      );
    }
    await sleep(50);
  }

  const state = {
    pid,
    dir: absDir,
    configFile,
    caFile: certs.caFile,
    certFile: certs.certFile,
    logFile,
    c2sPort,
    tlsPort,
    hosts: HOSTS,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(stateFile(absDir), JSON.stringify(state, null, 2) + '\n');
  return { ...state, stop: () => stopPid(pid), exited: () => exited };
}

// ---------------------------------------------------------------------------------------------------
// The local stack's instance and its accounts file

function parseEnvFile(file) {
  const out = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return out;
}

/**
 * The stack's XMPP accounts (platform, researcher, writer @agents.switchboard.local). Passwords are
 * generated once into .run/xmpp-accounts.env (mode 600) and reused afterwards.
 */
export function ensureStackAccounts(stack = stackInstance()) {
  const file = stack.accountsFile;
  const env = parseEnvFile(file);
  let changed = false;
  const accounts = stack.accounts.map((user) => {
    const key = user.toUpperCase();
    if (!env[`XMPP_${key}_PASSWORD`]) {
      env[`XMPP_${key}_PASSWORD`] = randomBytes(18).toString('base64url');
      changed = true;
    }
    const jid = `${user}@${stack.host}`;
    if (env[`XMPP_${key}_JID`] !== jid) {
      env[`XMPP_${key}_JID`] = jid;
      changed = true;
    }
    return { user, host: stack.host, password: env[`XMPP_${key}_PASSWORD`] };
  });
  if (changed || !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const lines = [
      '# XMPP accounts of the local stack (generated by infra/prosody/instance.mjs; keep private).',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      '',
    ];
    writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  }
  return accounts;
}

export async function startStackProsody(stack = stackInstance()) {
  const accounts = ensureStackAccounts(stack);
  return startProsody({
    dir: stack.dir,
    c2sPort: stack.c2sPort,
    tlsPort: stack.tlsPort,
    accounts,
    detached: true,
  });
}

// ---------------------------------------------------------------------------------------------------
// CLI

function cliOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: 'string' },
      'c2s-port': { type: 'string' },
      'tls-port': { type: 'string' },
      account: { type: 'string', multiple: true },
      interface: { type: 'string', multiple: true },
      san: { type: 'string', multiple: true },
      cert: { type: 'string' },
      key: { type: 'string' },
      ca: { type: 'string' },
      'log-level': { type: 'string' },
      'timeout-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const number = (name) => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number, got "${raw}"`);
    return n;
  };
  const opts = {
    accounts: (values.account ?? []).map(parseAccount),
    positional: positionals,
    dir: values.dir,
    c2sPort: number('c2s-port'),
    tlsPort: number('tls-port'),
    interfaces: values.interface,
    extraNames: values.san,
    certFile: values.cert,
    keyFile: values.key,
    caFile: values.ca,
    logLevel: values['log-level'],
    timeoutMs: number('timeout-ms'),
    json: values.json,
    help: values.help,
  };
  // Options not given stay absent, as the defaults downstream expect.
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}

const USAGE = `usage:
  instance.mjs start --dir DIR [--c2s-port N] [--tls-port N] [--account user@host=password]... [--interface IP]... [--json]
  instance.mjs stop --dir DIR
  instance.mjs status --dir DIR
  instance.mjs register --dir DIR USER HOST PASSWORD
  instance.mjs stack [start|stop|status]     the local stack: .run/prosody on 5222/5223
  instance.mjs run --dir DIR [start options] [--san NAME]... [--cert FILE --key FILE [--ca FILE]]
                                             foreground (containers): stops Prosody on SIGTERM, exits with it`;

function printStarted(info, json) {
  if (json) {
    console.log(JSON.stringify({ ...info, stop: undefined }));
    return;
  }
  console.log(
    `prosody running: pid ${info.pid}, c2s/STARTTLS 127.0.0.1:${info.c2sPort}, direct TLS 127.0.0.1:${info.tlsPort}`,
  );
  console.log(`  config ${info.configFile}`);
  console.log(`  CA     ${info.caFile}`);
  console.log(`  log    ${info.logFile}`);
}

async function status(dir, json) {
  const pid = runningPid(dir);
  const state = readState(dir);
  if (json) console.log(JSON.stringify({ running: Boolean(pid), pid, ...(state ?? {}) }));
  else if (pid)
    console.log(
      `prosody running: pid ${pid}, ports ${state?.c2sPort}/${state?.tlsPort}, dir ${dir}`,
    );
  else console.log(`prosody not running (dir ${dir})`);
  return pid ? 0 : 3;
}

/** Keeps the CLI in the foreground until Prosody exits; SIGTERM/SIGINT stop it first. */
function runForeground(info) {
  return new Promise((res) => {
    let stopping = false;
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await info.stop();
      res(0);
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    const monitor = setInterval(() => {
      if (stopping || isAlive(info.pid)) return;
      clearInterval(monitor);
      console.error(
        `prosody exited (${JSON.stringify(info.exited() ?? {})}); last log lines:\n${tail(info.logFile, 20)}`,
      );
      res(1);
    }, 1000);
  });
}

async function main(argv) {
  const [command, ...rest] = argv;
  const opts = cliOptions(rest);
  if (!command || opts.help || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command.startsWith('-')) throw new Error(`the command comes first\n${USAGE}`);
  const absDir = opts.dir ? (isAbsolute(opts.dir) ? opts.dir : resolve(opts.dir)) : undefined;
  const needDir = () => {
    if (!absDir) throw new Error(`${command} needs --dir DIR`);
    return absDir;
  };
  switch (command) {
    case 'start':
    case 'run': {
      if (Boolean(opts.certFile) !== Boolean(opts.keyFile))
        throw new Error('--cert and --key go together');
      const foreground = command === 'run';
      const info = await startProsody({
        dir: needDir(),
        c2sPort: opts.c2sPort,
        tlsPort: opts.tlsPort,
        accounts: opts.accounts,
        interfaces: opts.interfaces,
        logLevel: opts.logLevel,
        timeoutMs: opts.timeoutMs,
        extraNames: opts.extraNames,
        certificates: opts.certFile
          ? {
              certFile: resolve(opts.certFile),
              keyFile: resolve(opts.keyFile),
              caFile: opts.caFile && resolve(opts.caFile),
            }
          : undefined,
        detached: !foreground,
      });
      printStarted(info, opts.json);
      return foreground ? runForeground(info) : 0;
    }
    case 'stop': {
      const pid = await stopProsody({ dir: needDir() });
      console.log(pid ? `prosody (pid ${pid}) stopped` : 'prosody was not running');
      return 0;
    }
    case 'status':
      return status(needDir(), opts.json);
    case 'register': {
      const [user, host, password] = opts.positional;
      const configFile = join(needDir(), 'prosody.cfg.lua');
      if (!existsSync(configFile)) throw new Error(`no ${configFile}: start the instance first`);
      registerAccount({ configFile, user, host, password });
      console.log(`registered ${user}@${host}`);
      return 0;
    }
    case 'stack': {
      const sub = opts.positional[0] ?? 'start';
      const stack = stackInstance();
      if (sub === 'start') {
        printStarted(await startStackProsody(stack), opts.json);
        console.log(`  accounts ${stack.accountsFile}`);
        return 0;
      }
      if (sub === 'stop') {
        const pid = await stopProsody({ dir: stack.dir });
        console.log(pid ? `prosody (pid ${pid}) stopped` : 'prosody was not running');
        return 0;
      }
      if (sub === 'status') return status(stack.dir, opts.json);
      throw new Error(`unknown: stack ${sub}`);
    }
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

const invokedDirectly = (() => {
  try {
    return (
      process.argv[1] &&
      statSync(process.argv[1]).ino === statSync(fileURLToPath(import.meta.url)).ino
    );
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`prosody: ${err.message}`);
      process.exit(1);
    },
  );
}
