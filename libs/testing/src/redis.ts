import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares. */
export function testRedisPrefix(label: string): string {
  return `sbt:${label}:${randomBytes(4).toString('hex')}:`;
}

/**
 * Deletes every key under `prefix` (what a test run's services left behind) with SCAN + DEL, never KEYS
 * or FLUSH*, so the dev stack's keys on the same server are untouched. Returns how many were deleted.
 */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  // Only our own generated prefixes: an empty or broad pattern would reach other people's keys.
  if (!/^sbt:[\w-]+:[0-9a-f]{8}:$/.test(prefix))
    throw new Error(`refusing to delete keys under "${prefix}": not a testRedisPrefix() value`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
