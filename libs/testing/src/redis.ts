import { randomBytes } from 'node:crypto';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares. */
export function testRedisPrefix(label: string): string {
  return `sbt:${label}:${randomBytes(4).toString('hex')}:`;
}
