import { PLATFORM_ADMIN_ROLE, type Tasks } from '@switchboard/contracts';
import pg from 'pg';
import type { ChaosStack } from './chaos-stack.js';

/** One audit row of a task, as stored. */
export interface AuditRow {
  taskId: string;
  action: string;
  resource: string | null;
  outcome: string;
  /** A tool call answered from its idempotency record rather than run again. */
  replayed: boolean;
}

/** The stored state of a task, from the orchestrator's database (absent: not picked up yet). */
export interface StoredTask {
  id: string;
  status: Tasks.TaskView['status'];
  finishedAt: number | undefined;
}

/** How long a note takes to store while a fault waits for one being written (slowNoteWrites). */
export const NOTE_WRITE_MS = 300;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
export const isTerminal = (status: string | undefined): boolean =>
  status !== undefined && TERMINAL.has(status);

/**
 * Where the suite reads what really happened: the services' own databases (read directly, as an
 * operator would), the gateway's task API as the user sees it, the audit chain and readiness.
 */
export class Truth {
  private readonly orchestrator: pg.Pool;
  private readonly tools: pg.Pool;
  private readonly audit: pg.Pool;

  constructor(private readonly stack: ChaosStack) {
    const pool = (url: string) => new pg.Pool({ connectionString: url, max: 2 });
    this.orchestrator = pool(stack.dbs.orchestrator.url);
    this.tools = pool(stack.dbs.tools.url);
    this.audit = pool(stack.dbs.audit.url);
    for (const p of [this.orchestrator, this.tools, this.audit]) p.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.orchestrator.end(), this.tools.end(), this.audit.end()]);
  }

  async storedTasks(ids: string[]): Promise<Map<string, StoredTask>> {
    const { rows } = await this.orchestrator.query<{
      id: string;
      status: StoredTask['status'];
      finishedAt: Date | null;
    }>('SELECT id, status, "finishedAt" FROM "Task" WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(
      rows.map((r) => [r.id, { id: r.id, status: r.status, finishedAt: r.finishedAt?.getTime() }]),
    );
  }

  /** How many of these tasks are running now. */
  async runningTasks(ids: string[]): Promise<number> {
    const { rows } = await this.orchestrator.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Task" WHERE id = ANY($1::uuid[]) AND status = 'running'`,
      [ids],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Makes the tools database slow to store notes (a slow disk, `NOTE_WRITE_MS` per note) or fast
   * again. notes.add stores its idempotency record and its note in one statement, so the window
   * in which a crash loses the reply of a call that took effect is that statement; slowed down, it
   * is wide enough to strike in. Only the suite's private database is touched.
   */
  async slowNoteWrites(slow: boolean): Promise<void> {
    await this.tools.query(
      slow
        ? `CREATE OR REPLACE FUNCTION chaos_slow_note() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN PERFORM pg_sleep(${NOTE_WRITE_MS / 1000}); RETURN NEW; END $$;
           CREATE OR REPLACE TRIGGER chaos_slow_note BEFORE INSERT ON "Note"
             FOR EACH ROW EXECUTE FUNCTION chaos_slow_note()`
        : 'DROP TRIGGER IF EXISTS chaos_slow_note ON "Note"',
    );
  }

  /** Whether a statement storing a note is running in the tools database right now. */
  async noteWriteRunning(): Promise<boolean> {
    const { rows } = await this.tools.query(
      `SELECT 1 FROM pg_stat_activity
        WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
          AND query LIKE '%INSERT INTO "Note"%' LIMIT 1`,
    );
    return rows.length > 0;
  }

  /** Tasks of these users that the orchestrator knows, whether or not their submitter heard of them. */
  async tasksOfUsers(users: string[]): Promise<{ id: string; userId: string }[]> {
    const { rows } = await this.orchestrator.query<{ id: string; userId: string }>(
      'SELECT id, "userId" FROM "Task" WHERE "userId" = ANY($1)',
      [users],
    );
    return rows;
  }

  /** Every note of these users: the real side effect of notes.add. */
  async notes(users: string[]): Promise<Map<string, string[]>> {
    const { rows } = await this.tools.query<{ userId: string; content: string }>(
      'SELECT "userId", content FROM "Note" WHERE "userId" = ANY($1) ORDER BY "createdAt"',
      [users],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), r.content]);
    return out;
  }

  async auditRows(taskIds: string[]): Promise<AuditRow[]> {
    const { rows } = await this.audit.query<AuditRow>(
      `SELECT "taskId", action, resource, outcome,
              coalesce((details->>'replayed')::boolean, false) AS replayed
         FROM "AuditEntry" WHERE "taskId" = ANY($1::uuid[]) ORDER BY seq`,
      [taskIds],
    );
    return rows;
  }

  /** The task as its owner sees it: `GET /tasks/{id}` on the gateway. */
  async taskView(taskId: string, user: string): Promise<Tasks.TaskView | undefined> {
    const r = await fetch(`${this.stack.gatewayUrl}/tasks/${taskId}`, {
      headers: { 'x-user-id': user },
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (r?.status !== 200) return undefined;
    return (await r.json()) as Tasks.TaskView;
  }

  /** The tools without side effects (idempotent), from a user's manifest: `GET /tools`. */
  async idempotentTools(): Promise<Set<string>> {
    const r = await fetch(`${this.stack.gatewayUrl}/tools`, {
      headers: { 'x-user-id': 'chaos-operator' },
      signal: AbortSignal.timeout(10_000),
    });
    if (r.status !== 200) throw new Error(`GET /tools answered ${r.status}`);
    const { tools } = (await r.json()) as { tools: { name: string; idempotent: boolean }[] };
    return new Set(tools.filter((t) => t.idempotent).map((t) => t.name));
  }

  /**
   * `GET /audit/verify` as the platform operator: the whole trail recomputed (its chain, and every
   * tenant's along it). A tenant's `admin` would verify only its own tenant's rows.
   */
  async chain(): Promise<{ ok: boolean; checked: number; reason?: string }> {
    const r = await fetch(`${this.stack.gatewayUrl}/audit/verify`, {
      headers: { 'x-user-id': 'chaos-operator', 'x-user-role': PLATFORM_ADMIN_ROLE },
      signal: AbortSignal.timeout(130_000),
    }).catch((e: unknown) => e as Error);
    if (r instanceof Error) return { ok: false, checked: 0, reason: r.message };
    const body = (await r.json().catch(() => ({}))) as {
      ok?: boolean;
      scope?: string;
      checked?: number;
      reason?: string;
      message?: string;
    };
    if (r.status !== 200)
      return { ok: false, checked: 0, reason: `HTTP ${r.status}: ${body.message ?? ''}` };
    // Anything less than the whole trail proves nothing about the rows it left out.
    if (body.scope !== 'all')
      return {
        ok: false,
        checked: body.checked ?? 0,
        reason: `verified scope ${body.scope ?? '(none)'}, not the whole trail`,
      };
    return {
      ok: body.ok === true,
      checked: body.checked ?? 0,
      ...(body.reason ? { reason: body.reason } : {}),
    };
  }

  /** Tasks the sample agents have run so far (their /stats), all agents together. */
  async agentRuns(): Promise<number> {
    const runs = await Promise.all(
      Object.values(this.stack.agents).map(async (a) => {
        const r = await fetch(`${a.url}/stats`, { signal: AbortSignal.timeout(5_000) });
        return ((await r.json()) as { executed: number }).executed;
      }),
    );
    return runs.reduce((a, b) => a + b, 0);
  }

  /** The replicas (by label: `audit`, `audit-2`) whose /readiness does not answer 200 right now. */
  async notReady(): Promise<string[]> {
    const answers = await Promise.all(
      this.stack.replicas().map(async ({ label, handle }) => {
        const r = await fetch(`${handle.url}/readiness`, {
          signal: AbortSignal.timeout(5_000),
        }).catch(() => undefined);
        return r?.status === 200 ? undefined : label;
      }),
    );
    return answers.filter((n): n is string => n !== undefined);
  }
}
