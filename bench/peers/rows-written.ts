// PostgreSQL rows written, from the server's own statistics: n_tup_ins + n_tup_upd + n_tup_del of
// every user table of a system's databases. Backends report their counts when a transaction ends,
// at most once a second, and an idle backend may hold them up to 10 s (PGSTAT_IDLE_INTERVAL), so a
// count is read only once it has stopped moving for longer than that.
import { waitFor } from '@switchboard/testing';
import { queryOnce } from './bench-system.js';

/** Rows written per table (`<database>.<table>`), since the statistics were last reset. */
export async function rowsByTable(databaseUrls: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const url of databaseUrls) {
    const rows = await queryOnce<{ db: string; table: string; written: string }>(
      url,
      `SELECT current_database() AS db, relname AS table,
          (n_tup_ins + n_tup_upd + n_tup_del)::text AS written
        FROM pg_stat_user_tables`,
    );
    for (const { db, table, written } of rows) out.set(`${db}.${table}`, Number(written));
  }
  return out;
}

export const total = (rows: Map<string, number>): number =>
  [...rows.values()].reduce((sum, n) => sum + n, 0);

/** The per-table counts once no count has changed for `stableMs` (all writers idle by then). */
export async function settledRows(
  databaseUrls: readonly string[],
  opts: { stableMs?: number; timeoutMs?: number } = {},
): Promise<Map<string, number>> {
  const stableMs = opts.stableMs ?? 11_000;
  let last = await rowsByTable(databaseUrls);
  let since = performance.now();
  return waitFor(
    async () => {
      const now = await rowsByTable(databaseUrls);
      if (total(now) !== total(last) || now.size !== last.size) {
        last = now;
        since = performance.now();
        return undefined;
      }
      return performance.now() - since >= stableMs ? now : undefined;
    },
    {
      timeoutMs: opts.timeoutMs ?? 120_000,
      intervalMs: 1_000,
      what: 'PostgreSQL statistics to settle',
    },
  );
}

/** Per-table difference `after - before`, tables without writes left out. */
export function rowsDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [table, n] of after) {
    const delta = n - (before.get(table) ?? 0);
    if (delta !== 0) out.set(table, delta);
  }
  return out;
}
