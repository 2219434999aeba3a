// The two peers as the bench runs them: each server a process of its own (compiled beside this file),
// on its own fresh PostgreSQL database, found again by its PID and its database's backends.
import {
  createTestDatabase,
  freePort,
  type SseEvent,
  spawnManaged,
  waitFor,
} from '@switchboard/testing';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchSystem,
  notesByUser,
  postgresGroups,
  queryOnce,
  type StoredTask,
} from './bench-system.js';

const here = dirname(fileURLToPath(import.meta.url));

interface PeerSpec {
  name: string;
  /** `<entry>.server.js` beside this file. */
  entry: string;
  answerOf(events: SseEvent[]): string | undefined;
  /** SQL reading back each task's state; `$1` is the task ids. */
  tasksSql: string;
  storedTask(row: Record<string, unknown>): StoredTask;
}

const dataOf = (event: SseEvent): Record<string, unknown> =>
  JSON.parse(event.data) as Record<string, unknown>;

export const LANGGRAPH: PeerSpec = {
  name: 'LangGraph JS',
  entry: 'langgraph',
  // The `tasks` stream: the last node's result carries the answer; an `error` event means failure.
  answerOf: (events) => {
    if (events.some((e) => e.event === 'error')) return undefined;
    const last = events.at(-1);
    const data = last?.event === 'tasks' ? dataOf(last) : undefined;
    const result = data?.['name'] === 'respond' ? data['result'] : undefined;
    const answer = (result as { answer?: unknown } | undefined)?.answer;
    return typeof answer === 'string' ? answer : undefined;
  },
  // A thread is complete when its checkpoint after the last node (step 4) is stored; the answer is
  // that channel's blob (JSON).
  tasksSql: `SELECT c.thread_id AS id, max((c.metadata->>'step')::int) AS last_step,
      (SELECT convert_from(b.blob, 'UTF8') FROM checkpoint_blobs b
        WHERE b.thread_id = c.thread_id AND b.channel = 'answer' AND b.type = 'json' LIMIT 1) AS answer
    FROM checkpoints c WHERE c.thread_id = ANY($1) GROUP BY c.thread_id`,
  storedTask: (row) => ({
    complete: row['last_step'] === 4,
    ...(typeof row['answer'] === 'string' ? { answer: JSON.parse(row['answer']) as string } : {}),
  }),
};

export const MASTRA: PeerSpec = {
  name: 'Mastra',
  entry: 'mastra',
  answerOf: (events) => {
    const last = events.at(-1);
    const payload = last?.event === 'workflow-finish' ? dataOf(last)['payload'] : undefined;
    const finish = payload as
      { workflowStatus?: string; finalWorkflowResult?: { answer?: unknown } } | undefined;
    const answer = finish?.finalWorkflowResult?.answer;
    return finish?.workflowStatus === 'success' && typeof answer === 'string' ? answer : undefined;
  },
  tasksSql: `SELECT run_id AS id, snapshot->>'status' AS status, snapshot->'result'->>'answer' AS answer
    FROM mastra_workflow_snapshot WHERE run_id = ANY($1)`,
  storedTask: (row) => ({
    complete: row['status'] === 'success',
    ...(typeof row['answer'] === 'string' ? { answer: row['answer'] } : {}),
  }),
};

/** Starts a peer's server on a fresh database and waits until it answers /health. */
export async function startPeer(spec: PeerSpec, logDir: string): Promise<BenchSystem> {
  const db = await createTestDatabase(`peers_${spec.entry}`);
  const port = await freePort();
  const server = spawnManaged(
    process.execPath,
    ['--enable-source-maps', join(here, `${spec.entry}.server.js`)],
    {
      name: spec.entry,
      logDir,
      env: {
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        MASTRA_TELEMETRY_DISABLED: '1',
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop(5_000);
    await db.drop();
  };
  let exited: number | string | undefined;
  void server.exited.then((code) => (exited = code));
  try {
    await waitFor(
      async () => {
        if (exited !== undefined) throw new Error(`${spec.name} exited with ${exited}`);
        return (await fetch(`${url}/health`).catch(() => undefined))?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${spec.name} /health` },
    );
  } catch (e) {
    await stop();
    throw new Error(
      `${(e as Error).message}\n--- ${spec.name} log ---\n${server.logs().slice(-4_000)}`,
      {
        cause: e,
      },
    );
  }
  return {
    name: spec.name,
    url,
    databaseUrls: [db.url],
    processes: () => new Map([[`${spec.name} server`, [server.pid]], ...postgresGroups([db.name])]),
    answerOf: spec.answerOf,
    readBack: async (records) => {
      const rows = await queryOnce(db.url, spec.tasksSql, [records.map((r) => r.taskId)]);
      return {
        notes: await notesByUser(
          db.url,
          'SELECT user_id AS "user", id::text, content FROM notes WHERE user_id = ANY($1)',
          records.map((r) => r.user),
        ),
        tasks: new Map(rows.map((row) => [String(row['id']), spec.storedTask(row)])),
      };
    },
    stop,
  };
}
