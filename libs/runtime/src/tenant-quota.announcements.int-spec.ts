import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from './tenant-quotas.js';

// Quota changes announced on real Redis, under a key prefix of its own (deleted afterwards).
const URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sbt:tqa:${randomBytes(4).toString('hex')}:`;

const tenant = () => `t-${randomUUID().slice(0, 8)}`;

/** Polls `check` every 10 ms until it holds; fails naming `what` after 10 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A process as mcp-tools runs one: the adapter on its client, listening on a connection of its own. */
interface Replica {
  redis: Redis;
  subscriber: Redis;
  quotas: TenantQuotas;
  /** The commands this replica's adapter sent (names), while counted. */
  sent: string[];
}

async function replica(): Promise<Replica> {
  const redis = new Redis(URL, { keyPrefix: PREFIX, lazyConnect: true });
  await redis.connect();
  const subscriber = redis.duplicate({ autoResubscribe: false });
  const quotas = new TenantQuotas(redis, {
    keyPrefix: TENANT_QUOTA_KEY_PREFIX,
    unlimitedTtlMs: 60_000,
  });
  const sent: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command) => (sent.push(command.name), send(command));
  quotas.listen(subscriber);
  await subscriber.connect(); // lazy, as its command connection
  return { redis, subscriber, quotas, sent };
}

describe('TenantQuotas: quota changes announced to every replica (real Redis)', () => {
  const replicas: Replica[] = [];
  const raw = new Redis(URL, { lazyConnect: true });
  /** Whether a replica hears changes: a tenant it checks is then remembered as unlimited. */
  const listening = async (r: Replica) => {
    const probe = tenant();
    await until(() => r.subscriber.status === 'ready', 'the subscriber to connect');
    // The subscription is confirmed in the background: probe until a check is remembered.
    const deadline = Date.now() + 10_000;
    while (!r.quotas.knownUnlimited(probe)) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the subscription');
      await take(r, probe);
    }
  };
  /** Checks `tenantId` until its answer is remembered (a replica that hears changes keeps it). */
  const remembered = async (r: Replica, tenantId: string) => {
    const deadline = Date.now() + 10_000;
    while (!r.quotas.knownUnlimited(tenantId)) {
      if (Date.now() > deadline) throw new Error(`${tenantId} was never remembered as unlimited`);
      await take(r, tenantId);
    }
  };
  const take = (r: Replica, tenantId: string, userId = 'ada') =>
    r.quotas.consumeDaily({ tenantId, userId, kind: 'toolCalls', amount: 1 });

  beforeAll(async () => {
    replicas.push(await replica(), await replica());
    await raw.connect();
    await Promise.all(replicas.map(listening));
  });

  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await raw.unlink(...keys);
    } while (cursor !== '0');
    await raw.quit();
    for (const r of replicas) {
      r.subscriber.disconnect();
      await r.redis.quit();
    }
  });

  it('skips the check of a tenant known to be unlimited, and counts from the limit another replica sets', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const t = tenant();
    await expect(take(a, t)).resolves.toEqual({ ok: true, metered: false });
    a.sent.length = 0;
    await expect(take(a, t)).resolves.toEqual({ ok: true, metered: false });
    expect(a.sent).toEqual([]); // no round trip
    await b.quotas.setQuota(t, { toolCallsPerDay: 1 });
    // The announcement reaches `a` (no TTL is waited for: it is a minute).
    await until(() => !a.quotas.knownUnlimited(t), 'the change to be heard');
    await expect(take(a, t)).resolves.toEqual({ ok: true, metered: true });
    await expect(take(a, t)).resolves.toMatchObject({
      ok: false,
      refusal: { quota: 'toolCallsPerDay', scope: 'tenant', limit: 1, used: 1 },
    });
    // Calls made while it was unlimited were not counted: the limit counts from when it was set.
    expect((await b.quotas.usage(t)).usage.toolCalls).toBe(1);
  });

  it('hears a per-user limit and the platform default as changes too', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const [t, u] = [tenant(), tenant()];
    await remembered(a, t);
    await remembered(a, u);
    await b.quotas.setQuota(t, { perUser: { toolCallsPerDay: 1 } });
    await until(() => !a.quotas.knownUnlimited(t), 'the per-user limit to be heard');
    expect(a.quotas.knownUnlimited(u)).toBe(true);
    await take(a, t);
    await expect(take(a, t)).resolves.toMatchObject({ ok: false, refusal: { scope: 'user' } });
    await b.quotas.setQuota('*', {});
    try {
      await until(() => !a.quotas.knownUnlimited(u), 'the platform default to be heard');
      await expect(take(a, u)).resolves.toEqual({ ok: true, metered: true });
    } finally {
      await b.quotas.setQuota('*', null);
    }
  });

  it('forgets every tenant when its subscriber reconnects, and remembers again once resubscribed', async () => {
    const [a] = replicas as [Replica];
    const t = tenant();
    // Remembered once a check's answer was not overtaken by an announcement (the previous test's
    // last change may still be on its way: a check in flight meanwhile is, rightly, not kept).
    await remembered(a, t);
    a.subscriber.disconnect(true); // dropped and reconnected: announcements may have been missed
    await until(() => !a.quotas.knownUnlimited(t), 'the disconnection to be noticed');
    await listening(a);
    await take(a, t);
    expect(a.quotas.knownUnlimited(t)).toBe(true);
  });
});
