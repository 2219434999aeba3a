// The e2e project's global setup and teardown (apps/e2e/jest.config.js): the directory in which each
// jest worker records the stack it shares among its test files (libs/testing: sharedStack()), and,
// once every file has run, the end of those stacks — stopped by PID, their databases dropped, their
// Redis keys deleted. Plain Node (no TypeScript, no path aliases): jest loads it in its parent process.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';

const PG_URL = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function setup() {
  // Workers start after the global setup and inherit this process' environment.
  process.env.SB_SHARED_STACKS = mkdtempSync(join(tmpdir(), 'sb-shared-stacks-'));
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopPids(pids) {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
}

async function dropDatabases(names) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

async function deleteKeys(prefix) {
  // Only what testRedisPrefix() makes: never a broad pattern on a shared server.
  if (!/^sbt:[\w-]+:[0-9a-f]{8}:$/.test(prefix)) return;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export async function teardown() {
  const dir = process.env.SB_SHARED_STACKS;
  if (!dir || !existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    // Services first, their NATS last (the last PID), as a stack's own stop() does.
    await stopPids(record.pids.slice(0, -1));
    await stopPids(record.pids.slice(-1));
    await dropDatabases(Object.values(record.databases));
    await deleteKeys(record.redisPrefix);
    for (const d of record.dirs) rmSync(d, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
}
