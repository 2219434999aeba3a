// XMPP bridge benchmark: `npm run bench -- xmpp [--quick] [--nagle-on] [--log-level <level>]
// [--cpu-prof]`. Self-contained: starts a private Prosody, a private NATS (max_payload 8 MB), an HTTP
// echo target, the agent's bridge (server mode, no NATS) and the platform's bridge (NATS role) as real
// processes, the floor responders, and then load.ts, which measures the bridge round trip beside the
// raw floors in the same run, and the CPU each process spends per bridged request; then the same
// round trips with slixmpp's XEP-0332 plugin through the same Prosody, in the same rounds as the
// bridge's (slixmpp-peers.ts, slixmpp-compare.ts).
//   --log-level   the bridges' LOG_LEVEL (default `info`, as shipped: one `xmpp exchange` line per
//                 request on each bridge; `warn` silences it, as the runs before 2026-11-23 did)
//   --cpu-prof    V8 CPU profiles of both bridges over the measurements (cpu-profile.preload.ts)
//   --sizes       body sizes to measure, e.g. `--sizes 1024` (default 1024,65536), slixmpp too
import {
  type ManagedProcess,
  freePort,
  natsServerBinary,
  spawnManaged,
  startPrivateProsody,
  startService,
  tempDir,
  waitFor,
  waitForPort,
} from '@switchboard/testing';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlixmppPeers, type SlixmppSetup } from './slixmpp-peers.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/xmpp: the repository is three levels up (the testing lib's repoRoot is dist/).
const root = join(here, '..', '..', '..');
const DOMAIN = 'agents.switchboard.local';
const nagleOn = process.argv.includes('--nagle-on');
const cpuProf = process.argv.includes('--cpu-prof');
const levelAt = process.argv.indexOf('--log-level');
const logLevel = levelAt === -1 ? 'info' : (process.argv[levelAt + 1] ?? 'info');
const profileDir = cpuProf ? tempDir('bench-xmpp-profiles') : undefined;
const sizesAt = process.argv.indexOf('--sizes');
const accounts = {
  platform: 'bench-platform',
  agent: 'bench-agent',
  floora: 'bench-floor-a',
  floorb: 'bench-floor-b',
  slixclient: 'bench-slix-client',
  slixecho: 'bench-slix-echo',
  slixhttp: 'bench-slix-http',
};
const started: { stop(): Promise<void> }[] = [];
const stopAll = async () => {
  for (const p of started.reverse()) await p.stop().catch(() => undefined);
};

async function firstLine(proc: ManagedProcess, what: string): Promise<string> {
  return waitFor(
    () =>
      proc
        .logs()
        .split('\n')
        .find((l) => l.trim().length > 0)
        ?.trim(),
    { timeoutMs: 30_000, what },
  );
}

async function main(): Promise<void> {
  console.log(
    `XMPP bridge benchmark — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  const xmppDir = tempDir('bench-prosody');
  const xmpp = await startPrivateProsody({
    dir: xmppDir,
    accounts: Object.entries(accounts).map(([user, password]) => ({
      user,
      host: DOMAIN,
      password,
    })),
    logLevel: 'warn',
  });
  started.push(xmpp);
  if (nagleOn) {
    // infra's template turns Nagle's algorithm off (network_settings); Prosody's own default keeps it on,
    // and a large stanza's last segment then waits for the peer's delayed ACK (~40 ms). For comparison:
    // the same instance, restarted without that setting.
    await xmpp.stop();
    const config = readFileSync(xmpp.configFile, 'utf8').replace(
      /^network_settings = \{[^}]*\}\n/m,
      '',
    );
    writeFileSync(xmpp.configFile, config);
    const prosody = spawnManaged('prosody', ['--config', xmpp.configFile, '-F'], {
      name: 'prosody-nagle-on',
      cwd: xmppDir,
      logDir: xmppDir,
    });
    started.push({ stop: () => prosody.stop(5_000) });
    await waitForPort(xmpp.c2sPort);
  }
  console.log(
    `Prosody 0.12 (${nagleOn ? "Prosody's default: Nagle on" : "infra's template as is: Nagle off"}), STARTTLS with TLS 1.3`,
  );

  const natsPort = await freePort();
  const natsDir = tempDir('bench-nats');
  writeFileSync(
    join(natsDir, 'nats.conf'),
    `listen: 127.0.0.1:${natsPort}\nmax_payload: 8388608\n`,
  );
  // the nats-server the project pins (infra/nats-server.env), as `npm run up` runs it
  const nats = spawnManaged(natsServerBinary(), ['-c', join(natsDir, 'nats.conf')], {
    name: 'nats',
    logDir: natsDir,
  });
  started.push({ stop: () => nats.stop(5_000) });
  await waitForPort(natsPort);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;

  const target = spawnManaged(process.execPath, [join(here, 'http-target.js')], {
    name: 'http-target',
  });
  started.push({ stop: () => target.stop(3_000) });
  const targetUrl = `http://127.0.0.1:${await firstLine(target, 'the HTTP target')}`;

  const bridgeEnv = (user: keyof typeof accounts) => ({
    ...(profileDir
      ? {
          NODE_OPTIONS: `--import ${join(here, 'cpu-profile.preload.js')}`,
          CPU_PROFILE_FILE: join(profileDir, `${user}-bridge.cpuprofile`),
        }
      : {}),
    AZTM_HOST: '127.0.0.1',
    AZTM_PORT: String(xmpp.c2sPort),
    AZTM_JID: `${user}@${DOMAIN}`,
    AZTM_PASSWORD: accounts[user],
    XMPP_BRIDGE_CA_FILE: xmpp.caFile,
    LOG_LEVEL: logLevel,
    NODE_ENV: 'production',
  });
  console.log(`bridges at LOG_LEVEL=${logLevel}${profileDir ? ', CPU-profiled' : ''}`);
  const main = join(root, 'dist/apps/xmpp-bridge/src/main.js');
  const agent = await startService(
    'bench-agent-bridge',
    {
      ...bridgeEnv('agent'),
      XMPP_BRIDGE_NATS_COMMANDS: 'false',
      XMPP_BRIDGE_HTTP_TARGET: targetUrl,
      XMPP_BRIDGE_ALLOWED_JIDS: `platform@${DOMAIN}`,
    },
    { entry: main },
  );
  started.push({ stop: () => agent.stop(5_000) });
  const platform = await startService(
    'bench-platform-bridge',
    {
      ...bridgeEnv('platform'),
      NATS_SERVERS: natsUrl,
      SERVICE_MAP: `bench-agent.example=agent@${DOMAIN}`,
      AZTM_SERVER_MODE: 'false',
    },
    { entry: main },
  );
  started.push({ stop: () => platform.stop(5_000) });

  const xmppClientEnv = (user: keyof typeof accounts) => ({
    NODE_EXTRA_CA_CERTS: xmpp.caFile,
    XMPP_SERVICE: `xmpp://127.0.0.1:${xmpp.c2sPort}`,
    XMPP_DOMAIN: DOMAIN,
    XMPP_USER: user,
    XMPP_PASSWORD: accounts[user],
    NATS_URL: natsUrl,
  });
  const floor = spawnManaged(process.execPath, [join(here, 'floor-peers.js')], {
    name: 'floor-peers',
    env: xmppClientEnv('floorb'),
  });
  started.push({ stop: () => floor.stop(3_000) });
  await waitFor(() => floor.logs().includes('ready'), {
    timeoutMs: 30_000,
    what: 'the floor responders',
  });

  const slixmppSetup: SlixmppSetup = {
    root,
    c2sPort: xmpp.c2sPort,
    caFile: xmpp.caFile,
    domain: DOMAIN,
    accounts: {
      client: ['slixclient', accounts.slixclient],
      echo: ['slixecho', accounts.slixecho],
      http: ['slixhttp', accounts.slixhttp],
    },
    targetUrl,
  };
  const slixmpp = new SlixmppPeers(slixmppSetup);
  started.push(slixmpp);
  await slixmpp.start();

  const resultsFile = join(tempDir('bench-xmpp'), 'results.json');
  const profiled = [platform, agent];
  if (profileDir) for (const p of profiled) process.kill(p.pid, 'SIGUSR2');
  const load = spawnManaged(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'load')}`] : []),
      join(here, 'load.js'),
      ...(process.argv.includes('--quick') ? ['--quick'] : []),
      ...(sizesAt === -1 ? [] : ['--sizes', process.argv[sizesAt + 1] ?? '']),
    ],
    {
      name: 'load',
      env: {
        ...xmppClientEnv('floora'),
        TARGET_URL: targetUrl,
        FLOOR_JID: `floorb@${DOMAIN}/floor`,
        RESULTS_FILE: resultsFile,
        SLIXMPP_SETUP: JSON.stringify(slixmppSetup),
        // Whose CPU time is counted per bridged request.
        CPU_PIDS: [
          `platform bridge=${platform.pid}`,
          `agent bridge=${agent.pid}`,
          `prosody=${xmpp.pid}`,
          `nats=${nats.pid}`,
          `http target=${target.pid}`,
        ].join(','),
      },
    },
  );
  load.child.stdout?.pipe(process.stdout);
  const code = await load.exited;
  if (code !== 0) console.error(`load exited with ${code}:\n${load.logs().slice(-3_000)}`);
  if (profileDir) await saveProfiles(profileDir, profiled);
  console.log(`results: ${resultsFile}`);
}

/** Ends the bridges' CPU profiles (a second SIGUSR2) and waits until both are written. */
async function saveProfiles(profileDir: string, profiled: ManagedProcess[]): Promise<void> {
  for (const p of profiled) process.kill(p.pid, 'SIGUSR2');
  await waitFor(
    () =>
      existsSync(join(profileDir, 'platform-bridge.cpuprofile')) &&
      existsSync(join(profileDir, 'agent-bridge.cpuprofile')),
    { timeoutMs: 30_000, what: 'the CPU profiles' },
  );
  console.log(`CPU profiles of the bridges: ${profileDir}`);
}

try {
  await main();
} finally {
  await stopAll();
}
