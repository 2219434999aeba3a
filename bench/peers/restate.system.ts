// Restate as the bench runs it: a single-node restate-server (the npm package's binary, its default
// configuration: every role on one node, 24 partitions, its RocksDB log fsynced per write, telemetry
// off) in a fresh data directory, the demo's service endpoint and HTTP edge in one Node process
// (restate.server.ts) on its own fresh PostgreSQL database for the notes, the endpoint registered with
// the server's admin API. Every process counted: the server, the Node process, the notes' backends.
import {
  createTestDatabase,
  freePort,
  type SseEvent,
  spawnManaged,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchSystem,
  notesByUser,
  postgresGroups,
  type StoredTask,
  type TaskRecord,
} from './bench-system.js';

const here = dirname(fileURLToPath(import.meta.url));
const NAME = 'Restate';

/** The restate-server binary of this platform (the package `@restatedev/restate-server` wraps). */
function serverBinary(): string {
  const pkg = `@restatedev/restate-server-${platform()}-${arch()}/package.json`;
  return join(
    dirname(createRequire(join(here, 'package.json')).resolve(pkg)),
    'bin/restate-server',
  );
}

/** The answer of the one `result` event the edge writes. */
function answerOf(events: SseEvent[]): string | undefined {
  const last = events.at(-1);
  if (last?.event !== 'result') return undefined;
  const { answer } = JSON.parse(last.data) as { answer?: unknown };
  return typeof answer === 'string' ? answer : undefined;
}

/** Waits until `url` answers 2xx, failing early when `proc` has exited. */
async function healthy(name: string, url: string, exited: () => unknown): Promise<void> {
  await waitFor(
    async () => {
      if (exited() !== undefined) throw new Error(`${name} exited with ${String(exited())}`);
      return (await fetch(url).catch(() => undefined))?.ok;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `${name} ${url}` },
  );
}

/** Each workflow's stored output (the server keeps a workflow's result), 16 reads at a time. */
async function storedOutputs(ingress: string, ids: string[]): Promise<Map<string, StoredTask>> {
  const tasks = new Map<string, StoredTask>();
  for (let i = 0; i < ids.length; i += 16)
    await Promise.all(
      ids.slice(i, i + 16).map(async (id) => {
        const r = await fetch(`${ingress}/restate/workflow/demo/${id}/output`);
        const body = r.ok ? ((await r.json()) as { answer?: unknown }) : undefined;
        tasks.set(id, {
          complete: r.ok,
          ...(typeof body?.answer === 'string' ? { answer: body.answer } : {}),
        });
      }),
    );
  return tasks;
}

export async function startRestate(logDir: string): Promise<BenchSystem> {
  const db = await createTestDatabase('peers_restate');
  const dataDir = tempDir('restate-data');
  const [ingressPort, adminPort, nodePort, queryPort, servicePort, port] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const ingress = `http://127.0.0.1:${ingressPort}`;
  const admin = `http://127.0.0.1:${adminPort}`;
  const server = spawnManaged(serverBinary(), ['--no-logo', '--base-dir', dataDir], {
    name: 'restate-server',
    logDir,
    env: {
      RESTATE_NODE_NAME: 'bench',
      RESTATE_LISTEN_MODE: 'tcp',
      RESTATE_BIND_ADDRESS: `127.0.0.1:${nodePort}`,
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
      RESTATE_ADMIN__QUERY_ENGINE__PGSQL_BIND_ADDRESS: `127.0.0.1:${queryPort}`,
      RESTATE_DISABLE_TELEMETRY: 'true',
      RESTATE_LOG_DISABLE_ANSI_CODES: 'true',
    },
  });
  const app = spawnManaged(
    process.execPath,
    ['--enable-source-maps', join(here, 'restate.server.js')],
    {
      name: 'restate-app',
      logDir,
      env: {
        DATABASE_URL: db.url,
        PORT: String(port),
        SERVICE_PORT: String(servicePort),
        INGRESS_URL: ingress,
        NODE_ENV: 'production',
      },
    },
  );
  const exits = new Map<string, number | string>();
  void server.exited.then((code) => exits.set('restate-server', code));
  void app.exited.then((code) => exits.set('restate-app', code));
  const stop = async () => {
    await Promise.all([app.stop(5_000), server.stop(10_000)]);
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await healthy('restate-server', `${admin}/health`, () => exits.get('restate-server'));
    await healthy('restate-app', `${url}/health`, () => exits.get('restate-app'));
    const registered = await fetch(`${admin}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uri: `http://127.0.0.1:${servicePort}` }),
    });
    if (!registered.ok)
      throw new Error(`registering the endpoint: ${registered.status} ${await registered.text()}`);
  } catch (e) {
    await stop();
    const logs = `--- restate-server ---\n${server.logs().slice(-3_000)}\n--- restate-app ---\n${app.logs().slice(-3_000)}`;
    throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
  }
  return {
    name: NAME,
    url,
    databaseUrls: [db.url],
    processes: () =>
      new Map([
        ['restate-server', [server.pid]],
        [`${NAME} app (endpoint + HTTP edge)`, [app.pid]],
        ...postgresGroups([db.name]),
      ]),
    answerOf,
    readBack: async (records: TaskRecord[]) => ({
      notes: await notesByUser(
        db.url,
        'SELECT user_id AS "user", id::text, content FROM notes WHERE user_id = ANY($1)',
        records.map((r) => r.user),
      ),
      tasks: await storedOutputs(
        ingress,
        records.map((r) => r.taskId),
      ),
    }),
    stop,
  };
}
