import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import type { QuotaSubscriber } from './tenant-quota.announcements.js';
import { TenantQuotas } from './tenant-quotas.js';

const CHANNEL = 'sb:quota:changes';

/** A ready Redis whose DAILY script answers `source` (0: no quota applies), counting the calls. */
function fakeRedis() {
  const state = { source: 0, daily: 0, sent: [] as string[][] };
  const tx = {
    del: (k: string) => (state.sent.push(['del', k]), tx),
    hset: (k: string) => (state.sent.push(['hset', k]), tx),
    sadd: (k: string, m: string) => (state.sent.push(['sadd', k, m]), tx),
    srem: (k: string, m: string) => (state.sent.push(['srem', k, m]), tx),
    publish: (c: string, m: string) => (state.sent.push(['publish', c, m]), tx),
    exec: async () => (state.sent.push(['exec']), []),
  };
  const redis = {
    status: 'ready',
    options: { keyPrefix: 'sb:' },
    defineCommand: () => undefined,
    on: () => undefined,
    smembers: async () => [],
    exists: async () => 0,
    sbQuotaDaily: async () => (state.daily++, [1, state.source]),
    multi: () => tx,
  };
  return { redis: redis as unknown as Redis, state };
}

/** A subscriber connection whose SUBSCRIBE is confirmed when the test says so. */
class FakeSubscriber extends EventEmitter {
  status = 'ready';
  private confirm: (() => void) | undefined;
  subscribed: string[] = [];
  subscribe(channel: string): Promise<number> {
    this.subscribed.push(channel);
    return new Promise((resolve) => (this.confirm = () => resolve(1)));
  }
  /** The server confirms the pending SUBSCRIBE (its reply is handled after this turn). */
  async confirmed(): Promise<void> {
    this.confirm?.();
    await Promise.resolve();
  }
  reconnect(): void {
    this.status = 'reconnecting';
    this.emit('close');
    this.status = 'ready';
    this.emit('ready');
  }
}

function setUp(ttlMs = 10_000) {
  const clock = { now: 1_000_000 };
  const { redis, state } = fakeRedis();
  const sut = new TenantQuotas(redis, {
    keyPrefix: 'quota:',
    unlimitedTtlMs: ttlMs,
    now: () => clock.now,
  });
  const sub = new FakeSubscriber();
  const stop = sut.listen(sub as unknown as QuotaSubscriber);
  const call = (tenantId = 'acme') =>
    sut.consumeDaily({ tenantId, userId: 'ada', kind: 'toolCalls', amount: 1 });
  return { sut, sub, state, clock, call, stop };
}

describe('TenantQuotas: tenants known to be unlimited', () => {
  it('skips the check of a tenant Redis said no quota applies to, once it hears quota changes', async () => {
    const { sut, sub, state, call } = setUp();
    await call();
    expect(sut.knownUnlimited('acme')).toBe(false); // not subscribed yet: nothing remembered
    await sub.confirmed();
    expect(sub.subscribed).toEqual([CHANNEL]);
    await expect(call()).resolves.toEqual({ ok: true, metered: false });
    expect(sut.knownUnlimited('acme')).toBe(true);
    await expect(call()).resolves.toEqual({ ok: true, metered: false });
    await call('globex'); // another tenant: asked
    expect(state.daily).toBe(3);
  });

  it('never skips a tenant under a quota of its own or the platform default (its calls are counted)', async () => {
    const { sut, sub, state, call } = setUp();
    await sub.confirmed();
    state.source = 1;
    await call();
    await call();
    state.source = 2;
    await call();
    await call();
    expect(state.daily).toBe(4);
    expect(sut.knownUnlimited('acme')).toBe(false);
  });

  it('forgets the tenant whose change is announced, everyone on a platform change', async () => {
    const { sut, sub, state, call } = setUp();
    await sub.confirmed();
    await call('acme');
    await call('globex');
    sub.emit('message', 'other:channel', 'acme'); // not ours
    expect(sut.knownUnlimited('acme')).toBe(true);
    sub.emit('message', CHANNEL, 'acme');
    expect(sut.knownUnlimited('acme')).toBe(false);
    expect(sut.knownUnlimited('globex')).toBe(true);
    sub.emit('message', CHANNEL, '*');
    expect(sut.knownUnlimited('globex')).toBe(false);
    state.daily = 0;
    await call('acme');
    expect(state.daily).toBe(1);
  });

  it('keeps no answer to a check sent before a change it hears of while the reply is on its way', async () => {
    const { sut, sub, state, call } = setUp();
    await sub.confirmed();
    const inFlight = call(); // the script ran before the change: it says no quota applies
    sub.emit('message', CHANNEL, 'acme'); // heard before the reply (two connections)
    await inFlight;
    expect(sut.knownUnlimited('acme')).toBe(false);
    await call();
    expect(state.daily).toBe(2);
  });

  it('forgets everything when the subscriber reconnects, and remembers nothing until it is subscribed again', async () => {
    const { sut, sub, state, call } = setUp();
    await sub.confirmed();
    await call();
    expect(sut.knownUnlimited('acme')).toBe(true);
    sub.reconnect();
    expect(sut.knownUnlimited('acme')).toBe(false);
    await call();
    await call();
    expect(state.daily).toBe(3);
    await sub.confirmed();
    await call();
    await call();
    expect(state.daily).toBe(4);
  });

  it('asks again once the TTL has passed, however quiet the channel', async () => {
    const { sut, sub, state, clock, call } = setUp(5_000);
    await sub.confirmed();
    await call();
    clock.now += 4_999;
    expect(sut.knownUnlimited('acme')).toBe(true);
    clock.now += 1;
    expect(sut.knownUnlimited('acme')).toBe(false);
    await call();
    expect(state.daily).toBe(2);
  });

  it('remembers nothing with a TTL of 0, nor once it stopped listening', async () => {
    const off = setUp(0);
    await off.sub.confirmed();
    await off.call();
    await off.call();
    expect(off.state.daily).toBe(2);
    const { sut, sub, call, stop } = setUp();
    await sub.confirmed();
    await call();
    stop();
    expect(sut.knownUnlimited('acme')).toBe(false);
    expect(sub.listenerCount('message')).toBe(0);
  });

  it('announces a quota change in the transaction that makes it, and forgets the tenant at once', async () => {
    const { sut, sub, state, call } = setUp();
    await sub.confirmed();
    await call();
    await sut.setQuota('acme', { toolCallsPerDay: 1 });
    expect(state.sent).toEqual([
      ['del', 'quota:quota:acme'],
      ['hset', 'quota:quota:acme'],
      ['sadd', 'quota:quota-tenants', 'acme'],
      ['publish', CHANNEL, 'acme'],
      ['exec'],
    ]);
    expect(sut.knownUnlimited('acme')).toBe(false);
    state.sent = [];
    await sut.setQuota('*', null);
    expect(state.sent).toEqual([
      ['del', 'quota:platform-quota'],
      ['publish', CHANNEL, '*'],
      ['exec'],
    ]);
  });
});
