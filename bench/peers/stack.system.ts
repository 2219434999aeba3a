// Switchboard as `npm run up` runs it (`--stack` in the soak and peers benches): nothing is started,
// the bench attaches to the stack already running from this checkout (its .run/, or SB_RUN_DIR) — its
// gateway and services (SB_PORT_BASE), its NATS with one identity per service (read here as the
// `operator` identity: platform subjects and replies, not JetStream's API), its Prosody, the sample
// agents and their bridges, audit's task logs, and its databases. Its processes are the ones `up`
// recorded; stop() leaves them running.
import { type ConnectionOptions, connect, nkeyAuthenticator } from '@nats-io/transport-node';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandOf, withChildren } from '../core/process-cpu.js';
import { type BenchSystem, postgresGroups } from './bench-system.js';
import {
  switchboardAnswer,
  switchboardReadBack,
  type SwitchboardSystem,
} from './switchboard.system.js';

/** The six services and their ports: SB_PORT_BASE + 0..5, as infra/lib.sh sets them. */
const SERVICE_OFFSETS = {
  gateway: 0,
  orchestrator: 1,
  'mcp-tools': 2,
  a2a: 3,
  audit: 4,
  'xmpp-bridge': 5,
} as const;

/** The process group of `npm run up`'s cell, when it runs the six services as one process. */
export const CELL_GROUP = 'the cell (six services)';

const readPid = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && commandOf(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** KEY=VALUE lines of a file ('' when absent). */
function envFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** Where the running stack of the checkout at `root` lives, as infra/lib.sh and infra/up.sh put it. */
export function stackLayout(root: string, env: NodeJS.ProcessEnv = process.env) {
  const runDir = resolve(root, env['SB_RUN_DIR'] ?? '.run');
  const settings = { ...envFile(join(root, env['SB_ENV_FILE'] ?? '.env')), ...env };
  const base = Number(settings['SB_PORT_BASE'] ?? 3000);
  const natsPort = Number(settings['SB_NATS_PORT'] ?? base + 1322);
  const external = existsSync(join(runDir, 'nats-servers'))
    ? readFileSync(join(runDir, 'nats-servers'), 'utf8').trim()
    : undefined;
  const pgFile = join(runDir, 'pg-url');
  const pg = (
    settings['SB_PG_URL'] ||
    (existsSync(pgFile) ? readFileSync(pgFile, 'utf8').trim() : '') ||
    'postgresql://postgres@127.0.0.1:5432'
  ).replace(/\/$/, '');
  return {
    runDir,
    serviceUrls: new Map(
      Object.entries(SERVICE_OFFSETS).map(([s, offset]) => [
        s,
        `http://127.0.0.1:${base + offset}`,
      ]),
    ),
    natsUrl: external ?? `nats://127.0.0.1:${natsPort}`,
    /** The operator's seed: the stack's own NATS only (a NATS_SERVERS of yours: its NATS_* settings). */
    operatorSeed: external ? undefined : join(runDir, 'nats', 'identities', 'operator.nk'),
    redis: {
      url: settings['REDIS_URL'] || 'redis://127.0.0.1:6379',
      keyPrefix: settings['REDIS_KEY_PREFIX'] ?? 'sb:',
    },
    databaseUrls: {
      orchestrator: settings['ORCHESTRATOR_DATABASE_URL'] ?? `${pg}/sb_orchestrator`,
      tools: settings['MCP_TOOLS_DATABASE_URL'] ?? `${pg}/sb_tools`,
      audit: settings['AUDIT_DATABASE_URL'] ?? `${pg}/sb_audit`,
    },
  };
}

/** The stack `npm run up` started from the checkout at `root`; fails when its gateway is not ready. */
export async function attachStack(opts: {
  root: string;
  name: string;
}): Promise<SwitchboardSystem> {
  const layout = stackLayout(opts.root);
  const gateway = layout.serviceUrls.get('gateway') as string;
  const ready = await fetch(`${gateway}/readiness`).then(
    (r) => r.status,
    () => 0,
  );
  if (ready !== 200)
    throw new Error(
      `no ready stack at ${gateway} (readiness: ${ready || 'no answer'}): npm run up first`,
    );
  const natsOptions: ConnectionOptions = {
    servers: layout.natsUrl,
    ...(layout.operatorSeed
      ? {
          authenticator: nkeyAuthenticator(
            new TextEncoder().encode(readFileSync(layout.operatorSeed, 'utf8').trim()),
          ),
        }
      : {}),
  };
  const nc = await connect({ ...natsOptions, name: 'bench-version' });
  const natsVersion = nc.info?.version ?? 'unknown';
  await nc.close();
  const { orchestrator, tools, audit } = layout.databaseUrls;
  const databases = [orchestrator, tools, audit].map((u) => new URL(u).pathname.slice(1));
  const pids = (dir: string) => join(layout.runDir, dir);
  const processes = () => {
    const groups = new Map<string, number[]>();
    for (const service of Object.keys(SERVICE_OFFSETS)) {
      const pid = readPid(join(pids('pids'), `${service}.pid`));
      if (pid) groups.set(service, [pid]);
    }
    // `npm run up`'s default shape: the six services in one process (SB_SHAPE=services: one each).
    const cell = readPid(join(pids('pids'), 'cell.pid'));
    // with several cells (SB_CELLS): their primary and each cell
    if (cell) groups.set(CELL_GROUP, withChildren(cell));
    const agents = ['agent-researcher', 'agent-writer', 'bridge-researcher', 'bridge-writer']
      .map((n) => readPid(join(pids('pids'), `${n}.pid`)))
      .filter((p): p is number => p !== undefined);
    if (agents.length) groups.set('sample agents and their bridges', agents);
    const nats = readPid(join(pids('nats'), 'nats.pid'));
    if (nats) groups.set('nats-server', [nats]);
    const prosody = readPid(join(pids('prosody'), 'prosody.pid'));
    if (prosody) groups.set('Prosody', [prosody]);
    // Redis only when `up` started it: the machine's is shared with whatever else uses it.
    const redis = readPid(join(layout.runDir, 'redis.pid'));
    if (redis) groups.set('Redis', [redis]);
    for (const [group, list] of postgresGroups(databases)) groups.set(group, list);
    return groups;
  };
  const system: BenchSystem = {
    name: opts.name,
    url: gateway,
    databaseUrls: [orchestrator, tools, audit],
    processes,
    answerOf: switchboardAnswer,
    readBack: (records) => switchboardReadBack(orchestrator, tools, records),
    // the user's stack: left running
    stop: async () => undefined,
  };
  return {
    ...system,
    natsUrl: layout.natsUrl,
    natsOptions,
    natsVersion,
    seesJetStreamApi: false,
    redis: layout.redis,
    serviceUrls: layout.serviceUrls,
    configuration: `the stack \`npm run up\` runs (${layout.runDir}): nats-server ${natsVersion} at ${layout.natsUrl} with one identity per service, Prosody, the sample agents and their bridges, the xmpp-bridge, audit's task logs`,
  };
}
