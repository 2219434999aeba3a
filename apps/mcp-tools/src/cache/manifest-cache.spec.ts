import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { type CachedManifest, ManifestCache } from './manifest-cache.js';

/**
 * The cache over a bus whose subscription the test delivers to (`announce`: another replica's change
 * arriving) and whose publications it records.
 */
function setup(config = { MANIFEST_CACHE_TTL_SECONDS: 60, MANIFEST_CACHE_MAX_USERS: 100 }) {
  let handler: ((payload: { tenantId: string; userId: string }) => void) | undefined;
  let subscribed: unknown;
  const published: unknown[] = [];
  let publishFails = false;
  const bus = {
    subscribe: (contract: unknown, h: typeof handler) => {
      subscribed = contract;
      handler = h;
      return { ready: Promise.resolve(), unsubscribe: () => (handler = undefined) };
    },
    publish: (contract: unknown, _tokens: unknown, payload: unknown) => {
      if (publishFails) throw new Error('connection closed');
      published.push({ contract, payload });
    },
  } as unknown as NatsBus;
  const warnings: string[] = [];
  const logger = { warn: (_o: unknown, msg: string) => void warnings.push(msg) } as Logger;
  const cache = new ManifestCache(bus, config, logger);
  return {
    cache,
    published,
    warnings,
    subscribed: () => subscribed,
    announce: (user: { tenantId: string; userId: string }) => handler?.(user),
    failPublishing: () => (publishFails = true),
  };
}

const ENTRY: CachedManifest = { tools: [] };
const alice = { tenantId: 'default', userId: 'alice' };
const acmeAlice = { tenantId: 'acme', userId: 'alice' };
/** Looks the user's manifest up and stores ENTRY in its slot; what the next lookup finds. */
const cached = (cache: ManifestCache, user: typeof alice, registry = 'r1') =>
  cache.lookup(user, 'user', {}, registry).entry;
const fill = (cache: ManifestCache, user: typeof alice) =>
  cache.store(cache.lookup(user, 'user', {}, 'r1'), ENTRY);

describe(ManifestCache.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-26T08:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('serves a stored manifest from memory for its variant only (registry, role, variant)', () => {
    const { cache } = setup();
    expect(cached(cache, alice)).toBeUndefined();
    fill(cache, alice);
    expect(cached(cache, alice)).toEqual(ENTRY);
    expect(cached(cache, alice, 'r2')).toBeUndefined();
    expect(cache.lookup(alice, 'admin', {}, 'r1').entry).toBeUndefined();
    expect(cache.lookup(alice, 'user', { constraints: 'x' }, 'r1').entry).toBeUndefined();
  });

  it("invalidates one tenant's user without touching the same user id in another tenant, and announces it", () => {
    const { cache, published } = setup();
    fill(cache, alice);
    fill(cache, acmeAlice);
    cache.invalidateUser(acmeAlice);
    expect(cached(cache, acmeAlice)).toBeUndefined();
    expect(cached(cache, alice)).toEqual(ENTRY);
    expect(published).toEqual([
      {
        contract: Tools.ManifestsInvalidated,
        payload: { tenantId: 'acme', userId: 'alice', at: '2026-11-26T08:00:00.000Z' },
      },
    ]);
  });

  it("drops a user's manifests when another replica announces a change, and only theirs", async () => {
    const { cache, announce, subscribed } = setup();
    await cache.onModuleInit();
    expect(subscribed()).toBe(Tools.ManifestsInvalidated);
    fill(cache, alice);
    fill(cache, acmeAlice);
    announce(alice);
    expect(cached(cache, alice)).toBeUndefined();
    expect(cached(cache, acmeAlice)).toEqual(ENTRY);
  });

  it('does not keep a manifest that was being built when a change landed (it may predate it)', async () => {
    const { cache, announce } = setup();
    await cache.onModuleInit();
    const building = cache.lookup(alice, 'user', {}, 'r1');
    announce(alice);
    cache.store(building, ENTRY);
    expect(cached(cache, alice)).toBeUndefined();
    // Nor after a lookup made since the change (a new set of entries).
    const again = cache.lookup(alice, 'user', {}, 'r1');
    cache.invalidateUser(alice);
    cache.lookup(alice, 'user', {}, 'r1');
    cache.store(again, ENTRY);
    expect(cached(cache, alice)).toBeUndefined();
  });

  it('builds again once an entry is MANIFEST_CACHE_TTL_SECONDS old: a missed announcement heals', () => {
    const { cache } = setup();
    fill(cache, alice);
    jest.advanceTimersByTime(59_999);
    expect(cached(cache, alice)).toEqual(ENTRY);
    jest.advanceTimersByTime(1);
    expect(cached(cache, alice)).toBeUndefined();
  });

  it('keeps at most MANIFEST_CACHE_MAX_USERS users, letting the least recently asked go', () => {
    const { cache } = setup({ MANIFEST_CACHE_TTL_SECONDS: 60, MANIFEST_CACHE_MAX_USERS: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((userId) => ({ tenantId: 'acme', userId }));
    fill(cache, a!);
    fill(cache, b!);
    expect(cached(cache, a!)).toEqual(ENTRY); // a is now the most recently asked
    fill(cache, c!);
    expect(cached(cache, a!)).toEqual(ENTRY);
    expect(cached(cache, b!)).toBeUndefined();
  });

  it('logs an announcement it cannot send, and still drops its own copy', () => {
    const { cache, warnings, failPublishing } = setup();
    fill(cache, alice);
    failPublishing();
    cache.invalidateUser(alice);
    expect(cached(cache, alice)).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('MANIFEST_CACHE_TTL_SECONDS')]);
  });
});
