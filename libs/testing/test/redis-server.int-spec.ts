// The private redis-server helper: its own port, an outage that ends on the same port.
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { portOpen, type PrivateRedis, startPrivateRedis } from '../src/index.js';

describe('startPrivateRedis', () => {
  let redis: PrivateRedis | undefined;
  afterAll(async () => redis?.stop());

  it('serves on its own port, goes away on stop() and comes back on the same port on start()', async () => {
    redis = await startPrivateRedis();
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();

    await redis.stop();
    expect(await portOpen(redis.port)).toBe(false);

    await redis.start();
    const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await again.connect();
    // Nothing is kept on disk: a restarted server is empty.
    expect(await again.get('k')).toBeNull();
    again.disconnect();
  });
});
