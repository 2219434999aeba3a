// What one task costs the two stores besides NATS: PostgreSQL transactions (commits and rollbacks,
// reads included: every statement outside a transaction block is one) per service database, and Redis
// round trips and commands. Both are read around the soak's counted tasks, net of what the stack does
// when idle (schedule ticks, sweeps, lease renewals) over as long, as CPU per task is.
import { Redis } from 'ioredis';
import { queryOnce } from '../peers/bench-system.js';

export interface StoreCounts {
  /** PostgreSQL transactions per task, per database (the service's, not the server's others). */
  pgTransactions: Map<string, number>;
  /** Redis round trips per task (a pipeline or a MULTI…EXEC sent at once is one). */
  redisRoundTrips: number;
  /** Redis commands per task, by command (a script's inner calls counted as its own, once). */
  redisCommands: Map<string, number>;
}

export interface RedisTarget {
  url: string;
  /** The stack's key prefix: on a shared Redis, only clients touching these keys are counted. */
  keyPrefix: string;
}

/** One `MONITOR` line: `1700000000.123456 [0 127.0.0.1:51234] "GET" "sb:x"` (inner script calls: `[0 lua]`). */
const MONITOR_LINE = /^(\d+)\.(\d+) \[\d+ ([^\]]+)\] "([^"]+)"(.*)$/;

/**
 * Commands of the same connection that reach Redis within this many microseconds of each other came
 * in one write (a pipeline): a new round trip needs the reply to travel back and the client to act on
 * it, which on one machine takes far longer.
 */
const SAME_WRITE_US = 40;

/** Round trips and commands from MONITOR lines (see MONITOR_LINE), counting only `clients`. */
export function countMonitor(
  lines: readonly string[],
  keyPrefix: string,
): { roundTrips: number; commands: Map<string, number> } {
  type Cmd = { us: number; client: string; name: string };
  const parsed: Cmd[] = [];
  const ours = new Set<string>();
  for (const line of lines) {
    const m = MONITOR_LINE.exec(line);
    if (!m) continue;
    const [, sec, frac, client, name, rest] = m as unknown as string[];
    const us = Number(sec) * 1e6 + Number((frac as string).padEnd(6, '0').slice(0, 6));
    parsed.push({ us, client: client as string, name: (name as string).toLowerCase() });
    if ((rest as string).includes(`"${keyPrefix}`)) ours.add(client as string);
  }
  const commands = new Map<string, number>();
  const last = new Map<string, { us: number; inMulti: boolean }>();
  let roundTrips = 0;
  let scriptCaller: string | undefined;
  for (const c of parsed) {
    if (c.client === 'lua') {
      // a script's calls belong to the client that ran it: its round trip is already counted
      if (scriptCaller && ours.has(scriptCaller))
        commands.set(`${c.name} (in a script)`, (commands.get(`${c.name} (in a script)`) ?? 0) + 1);
      continue;
    }
    if (!ours.has(c.client)) continue;
    if (c.name === 'eval' || c.name === 'evalsha') scriptCaller = c.client;
    commands.set(c.name, (commands.get(c.name) ?? 0) + 1);
    const prev = last.get(c.client);
    const inMulti = c.name === 'multi' || (prev?.inMulti === true && c.name !== 'exec');
    const sameWrite = prev !== undefined && (prev.inMulti || c.us - prev.us <= SAME_WRITE_US);
    if (!sameWrite) roundTrips += 1;
    last.set(c.client, { us: c.us, inMulti });
  }
  return { roundTrips, commands };
}

/** Watches Redis with MONITOR until stop(); the lines seen. */
async function monitor(url: string): Promise<{ stop: () => Promise<string[]> }> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const lines: string[] = [];
  const mon = await client.monitor();
  mon.on('monitor', (time: string, args: string[], source: string, database: string) => {
    lines.push(
      `${time} [${database} ${source}] ${args.map((a) => `"${a.replace(/"/g, '\\"')}"`).join(' ')}`,
    );
  });
  return {
    stop: async () => {
      mon.disconnect();
      client.disconnect();
      return lines;
    },
  };
}

/**
 * Transactions so far of each database (pg_stat_database: commits + rollbacks), read from the server's
 * `postgres` database so that the reads themselves count against none of them.
 */
async function transactions(urls: readonly string[]): Promise<number[]> {
  if (!urls.length) return [];
  const admin = new URL(urls[0] as string);
  admin.pathname = '/postgres';
  const rows = await queryOnce<{ datname: string; n: string }>(
    admin.toString(),
    `SELECT datname, xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = ANY($1)`,
    [urls.map(dbName)],
  );
  return urls.map((u) => Number(rows.find((r) => r.datname === dbName(u))?.n ?? 0));
}

/**
 * A backend reports its transactions to pg_stat_database when it flushes its pending statistics: at
 * the end of a busy second, and within PGSTAT_IDLE_INTERVAL (10 s) once it goes idle. Waiting that
 * long before a read makes it include everything done before the wait (what the stack does meanwhile
 * is its idle background, subtracted at its measured rate).
 */
const PG_STATS_FLUSH_MS = 11_000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dbName = (url: string) => new URL(url).pathname.slice(1);

/**
 * Runs `work` (which runs `tasks` tasks) and counts what the stores did meanwhile, net of idle: the
 * counters' rate over an idle period is subtracted for the time the work window lasted.
 */
export async function countStores(
  databaseUrls: readonly string[],
  redis: RedisTarget | undefined,
  tasks: number,
  work: () => Promise<unknown>,
): Promise<StoreCounts> {
  await pause(PG_STATS_FLUSH_MS); // what ran before (the probe's measured tasks) is all reported
  const idle = await countWindow(databaseUrls, redis, () => pause(5_000));
  const busy = await countWindow(databaseUrls, redis, work);
  const per = (busyN: number, idleN: number) =>
    Math.max(0, busyN - (idleN * busy.ms) / idle.ms) / tasks;
  const perRedis = (busyN: number, idleN: number) =>
    Math.max(0, busyN - (idleN * busy.redisMs) / idle.redisMs) / tasks;
  return {
    pgTransactions: new Map(
      databaseUrls.map((u, i) => [dbName(u), per(busy.pg[i] ?? 0, idle.pg[i] ?? 0)]),
    ),
    redisRoundTrips: perRedis(busy.redis.roundTrips, idle.redis.roundTrips),
    redisCommands: new Map(
      [...busy.redis.commands]
        .map(([name, n]): [string, number] => [
          name,
          perRedis(n, idle.redis.commands.get(name) ?? 0),
        ])
        .filter(([, n]) => n > 0.005)
        .sort((a, b) => b[1] - a[1]),
    ),
  };
}

/** One window: PostgreSQL from the read before `work` to the read a flush period after it; Redis while it runs. */
async function countWindow(
  databaseUrls: readonly string[],
  redis: RedisTarget | undefined,
  work: () => Promise<unknown>,
) {
  const started = Date.now();
  const pgBefore = await transactions(databaseUrls);
  const watch = redis ? await monitor(redis.url) : undefined;
  const redisStarted = Date.now();
  await work();
  const lines = watch ? await watch.stop() : [];
  const redisMs = Date.now() - redisStarted;
  await pause(PG_STATS_FLUSH_MS);
  const pgAfter = await transactions(databaseUrls);
  return {
    ms: Date.now() - started,
    redisMs,
    pg: pgAfter.map((n, i) => n - (pgBefore[i] ?? 0)),
    redis: redis
      ? countMonitor(lines, redis.keyPrefix)
      : { roundTrips: 0, commands: new Map<string, number>() },
  };
}
