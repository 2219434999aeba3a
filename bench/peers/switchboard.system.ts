// Switchboard as the bench runs it: its real services (gateway, orchestrator with the built-in
// planner, mcp-tools, a2a, audit with per-task logs, as `npm run up` ships them) started from a
// build's dist/ — as one cell (the users' default shape) or a process each — on a private nats-server
// with JetStream, a private redis-server and fresh databases migrated with that build's own
// migrations. Never the machine's NATS or a running stack.
import {
  createTestDatabase,
  disposableTempDir,
  startPrivateNats,
  startPrivateRedis,
  startService,
  startStackCell,
  type ServiceHandle,
  type TestDatabase,
  testRedisPrefix,
} from '@switchboard/testing';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withChildren } from '../core/process-cpu.js';
import {
  type BenchSystem,
  notesByUser,
  postgresGroups,
  queryOnce,
  type TaskRecord,
} from './bench-system.js';

/** A Switchboard the benches measure: a private one (startSwitchboard) or `npm run up`'s (--stack). */
export type SwitchboardSystem = BenchSystem & {
  natsUrl: string;
  /** How to connect to its NATS (its identity, where it has them). */
  natsOptions: ConnectionOptions;
  /** The nats-server version it runs, as the server announces it. */
  natsVersion: string;
  /** Whether the bench's NATS connection sees JetStream's API and acks (not as the operator). */
  seesJetStreamApi: boolean;
  serviceUrls: Map<string, string>;
  /** Its Redis and key prefix (the soak counts the round trips a task makes). */
  redis: { url: string; keyPrefix: string };
  /** Which configuration it is, in a sentence (the reports and docs/benchmarks.md name it). */
  configuration: string;
};

const SERVICES = ['mcp-tools', 'audit', 'a2a', 'orchestrator', 'gateway'] as const;
const DATABASES = { orchestrator: 'orchestrator', tools: 'mcp-tools', audit: 'audit' } as const;

/** Applies `project`'s migrations as the build in `root` ships them. */
function migrate(root: string, project: string, url: string): void {
  execFileSync(process.execPath, [join(root, 'tools/prisma/migrate.mjs'), project, 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
}

/**
 * Starts the stack of the Switchboard checkout at `root` (built: dist/apps/<service>/src/main.js);
 * `name` tells two builds apart (e.g. a baseline before a change, measured in the same run).
 */
export async function startSwitchboard(opts: {
  root: string;
  name: string;
  logDir: string;
  /** `cell`: the five services in one process; `services` (default): a process each. */
  shape?: 'cell' | 'services';
  /** The cell's SB_CELLS (default `auto`, as users run it: one cell per core but one). */
  cells?: number | 'auto';
  /** NODE_ENV (default production, as `npm run up` runs it; a build from before it ran development). */
  nodeEnv?: 'production' | 'development';
}): Promise<SwitchboardSystem> {
  const cellShape = opts.shape === 'cell';
  for (const app of cellShape ? ['cell', ...SERVICES] : SERVICES) {
    const entry = join(opts.root, 'dist/apps', app, 'src/main.js');
    if (!existsSync(entry)) throw new Error(`${opts.name}: ${entry} is missing (build it first)`);
  }
  const label = opts.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  const nats = await startPrivateNats();
  const redis = await startPrivateRedis();
  const taskLogs = disposableTempDir('peers-task-logs');
  const keyPrefix = testRedisPrefix('peers');
  const dbs: Partial<Record<keyof typeof DATABASES, TestDatabase>> = {};
  const services: ServiceHandle[] = [];
  const stop = async () => {
    for (const service of services.reverse()) await service.stop();
    await Promise.allSettled([
      nats.stop(),
      redis.stop(),
      ...Object.values(dbs).map((d) => d.drop()),
    ]);
    taskLogs.remove();
    // The JetStream store and Redis' directory (their logs are there too); the services' logs stay.
    for (const file of [nats.process.logFile, redis.process.logFile])
      rmSync(dirname(file), { recursive: true, force: true });
  };
  try {
    for (const [key, project] of Object.entries(DATABASES) as [keyof typeof DATABASES, string][]) {
      const db = await createTestDatabase(`${label}_${key}`);
      dbs[key] = db;
      migrate(opts.root, project, db.url);
    }
    const common = {
      NATS_SERVERS: nats.url,
      NODE_ENV: opts.nodeEnv ?? 'production',
      // on the loopback, as `npm run up` binds it: where production allows the dev authentication
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: keyPrefix,
    };
    const own: Record<string, Record<string, string>> = {
      gateway: { AUTH_MODE: 'dev' },
      orchestrator: { DATABASE_URL: dbs.orchestrator?.url ?? '' },
      'mcp-tools': { DATABASE_URL: dbs.tools?.url ?? '' },
      audit: { DATABASE_URL: dbs.audit?.url ?? '', TASK_LOG_DIR: taskLogs.path },
    };
    if (cellShape) {
      const cell = await startStackCell(
        [...SERVICES],
        (s) => ({ ...common, ...own[s] }),
        opts.logDir,
        join(opts.root, 'dist/apps/cell/src/main.js'),
        opts.cells ?? 'auto',
      );
      services.push(...Object.values(cell.services));
    } else
      for (const service of SERVICES)
        services.push(
          await startService(
            service,
            { ...common, ...own[service] },
            { logDir: opts.logDir, entry: join(opts.root, 'dist/apps', service, 'src/main.js') },
          ),
        );
  } catch (e) {
    await stop();
    throw e;
  }
  const { orchestrator, tools, audit } = dbs as Record<keyof typeof DATABASES, TestDatabase>;
  const gateway = services.find((s) => s.name === 'gateway') as ServiceHandle;
  // the cell's process, with its cells when there are several (found again at every sample: one the
  // primary starts again counts from then)
  const isCell = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('apps/cell/src/main.js');
    } catch {
      return false;
    }
  };
  const cellCount = Math.max(
    1,
    withChildren(gateway.pid).filter((p) => p !== gateway.pid && isCell(p)).length,
  );
  const shapeSentence = !cellShape
    ? 'as a process each'
    : cellCount === 1
      ? `in one process (the cell, SB_CELLS=${opts.cells ?? 'auto'})`
      : `in ${cellCount} cells under a primary (SB_CELLS=${opts.cells ?? 'auto'}: the gateway in the first, the others in each)`;
  const probe = await connect({ servers: nats.url, name: 'bench-version' });
  const natsVersion = probe.info?.version ?? 'unknown';
  await probe.close();
  return {
    name: opts.name,
    url: gateway.url,
    natsUrl: nats.url,
    natsOptions: { servers: nats.url },
    natsVersion,
    seesJetStreamApi: true,
    redis: { url: redis.url, keyPrefix },
    configuration: `NODE_ENV=${opts.nodeEnv ?? 'production'}; a private stack: this build's gateway, orchestrator (built-in planner), mcp-tools, a2a and audit (task logs) ${shapeSentence} on a private nats-server ${natsVersion} (no identities), Redis and databases; no Prosody, xmpp-bridge or sample agents`,
    serviceUrls: new Map(services.map((s) => [s.name, s.url])),
    databaseUrls: [orchestrator.url, tools.url, audit.url],
    processes: () =>
      new Map([
        ...(cellShape
          ? [[CELL_PROCESS, withChildren(gateway.pid)] as [string, number[]]]
          : services.map((s): [string, number[]] => [s.name, [s.pid]])),
        ['nats-server', [nats.process.pid]],
        ['Redis', [redis.process.pid]],
        ...postgresGroups([orchestrator.name, tools.name, audit.name]),
      ]),
    answerOf: switchboardAnswer,
    readBack: (records) => switchboardReadBack(orchestrator.url, tools.url, records),
    stop,
  };
}

/** The process group of a private stack's cell (its five services; with several cells, all of them). */
export const CELL_PROCESS = 'the cell (five services)';

/** The answer, when the stream ended with the task completed. */
export function switchboardAnswer(events: { event: string; data: string }[]): string | undefined {
  const last = events.at(-1);
  if (last?.event !== 'orchestrator.task.completed') return undefined;
  const result = (JSON.parse(last.data) as { data?: { result?: unknown } }).data?.result;
  return typeof result === 'string' ? result : undefined;
}

/** The tasks' rows and their users' notes, read from Switchboard's orchestrator and tools databases. */
export async function switchboardReadBack(
  orchestratorUrl: string,
  toolsUrl: string,
  records: TaskRecord[],
): ReturnType<BenchSystem['readBack']> {
  const rows = await queryOnce<{ id: string; status: string; result: string | null }>(
    orchestratorUrl,
    'SELECT id::text, status, result FROM "Task" WHERE id = ANY($1::uuid[])',
    [records.map((r) => r.taskId)],
  );
  return {
    notes: await notesByUser(
      toolsUrl,
      'SELECT "userId" AS "user", id::text, content FROM "Note" WHERE "userId" = ANY($1)',
      records.map((r) => r.user),
    ),
    tasks: new Map(
      rows.map((r) => [
        r.id,
        { complete: r.status === 'completed', ...(r.result ? { answer: r.result } : {}) },
      ]),
    ),
  };
}
