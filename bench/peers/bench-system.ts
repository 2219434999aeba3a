// What the runner knows of each system it measures: where to send the demo task, how its stream shows
// completion, which processes and databases are its own, and how to prove its tasks were stored.
import type { SseEvent } from '@switchboard/testing';
import pg from 'pg';
import { type PostgresProcess, postgresProcesses } from '../core/process-cpu.js';
import type { Discover } from './cpu-window.js';

/** One task as the load client saw it. */
export interface TaskRecord {
  /** X-Task-Id: Switchboard's task id, the LangGraph thread id, the Mastra run id. */
  taskId: string;
  user: string;
  /** The final answer the stream carried ("17 * 23 = 391. Saved note <id>: …"). */
  answer: string;
}

/** What a system stored for one task, read back from its database. */
export interface StoredTask {
  /** The task/thread/run reached its successful end in storage. */
  complete: boolean;
  /** The final answer as stored, when the system stores it. */
  answer?: string;
}

export interface StoredNote {
  id: string;
  content: string;
}

export interface BenchSystem {
  name: string;
  /** Base URL serving POST /orchestrate/stream. */
  url: string;
  /** PostgreSQL URLs of the system's own databases. */
  databaseUrls: string[];
  /** Every process whose CPU counts for this system, by group. */
  processes: Discover;
  /** The answer, when these events show the task completed successfully. */
  answerOf(events: SseEvent[]): string | undefined;
  /** The notes each user has and the state each task left, read from the system's databases. */
  readBack(records: TaskRecord[]): Promise<{
    notes: Map<string, StoredNote[]>;
    tasks: Map<string, StoredTask>;
  }>;
  stop(): Promise<void>;
}

export const PG_BACKENDS = 'PostgreSQL backends';
/**
 * The postmaster, checkpointer, WAL writer…: shared with whatever else uses the server (other
 * databases, other people's tests), so shown but not counted in a system's total (report.ts).
 */
export const PG_SERVER = 'PostgreSQL server processes (shared)';

let scanned: { at: number; processes: PostgresProcess[] } | undefined;

/** Every PostgreSQL process, from one /proc scan shared by all windows sampling within 100 ms. */
function currentPostgresProcesses(): PostgresProcess[] {
  const now = performance.now();
  if (!scanned || now - scanned.at > 100) scanned = { at: now, processes: postgresProcesses() };
  return scanned.processes;
}

/** The PostgreSQL processes of a system: the backends serving its databases, and the server's own. */
export function postgresGroups(databases: readonly string[]): Map<string, number[]> {
  const backends: number[] = [];
  const server: number[] = [];
  for (const { pid, database } of currentPostgresProcesses()) {
    if (database === undefined) server.push(pid);
    else if (databases.includes(database)) backends.push(pid);
  }
  return new Map([
    [PG_BACKENDS, backends],
    [PG_SERVER, server],
  ]);
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Runs one query on a short-lived connection. */
export async function queryOnce<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Notes by user, from a table with (user, id, content) columns named as the system names them. */
export async function notesByUser(
  url: string,
  sql: string,
  users: string[],
): Promise<Map<string, StoredNote[]>> {
  const rows = await queryOnce<{ user: string; id: string; content: string }>(url, sql, [users]);
  const notes = new Map<string, StoredNote[]>();
  for (const { user, id, content } of rows)
    notes.set(user, [...(notes.get(user) ?? []), { id, content }]);
  return notes;
}
