import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Approvals, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { ApprovalOverridesCache } from './approval-overrides.cache.js';
import type {
  ApprovalPolicyOverride,
  ApprovalPolicyRepository,
} from './approval-policy.repository.js';

const TTL_MS = 30_000;
const FOUR_EYES = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['admin'] },
  allowSelf: false,
});

/** A deferred read of the store, resolved by the test. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The cache over an in-memory store of overrides by tenant (every read counted), and a bus whose
 * subscription the test delivers to (`announce`, as another replica's change arrives) and whose
 * publications it records.
 */
function setup() {
  const stored = new Map<string, ApprovalPolicyOverride[]>();
  const reads: string[] = [];
  let nextRead: Promise<void> | undefined;
  const repository = {
    all: async (tenantId: string) => {
      reads.push(tenantId);
      const snapshot = [...(stored.get(tenantId) ?? [])];
      if (nextRead) await nextRead;
      return snapshot;
    },
  } as unknown as ApprovalPolicyRepository;
  let handler: ((payload: { tenantId: string }) => void) | undefined;
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
  const logger = {
    warn: (_o: unknown, msg: string) => void warnings.push(msg),
  } as unknown as Logger;
  const sut = new ApprovalOverridesCache(
    repository,
    bus,
    { APPROVAL_POLICY_CACHE_TTL_MS: TTL_MS },
    logger,
  );
  const override = (tool: string): ApprovalPolicyOverride => ({
    tool,
    policy: FOUR_EYES,
    setBy: 'root',
    setAt: new Date(0).toISOString(),
  });
  return {
    sut,
    reads,
    published,
    warnings,
    subscribed: () => subscribed,
    /** A change announced by another replica arrives. */
    announce: (tenantId: string) => handler?.({ tenantId }),
    store: (tenantId: string, ...tools: string[]) => stored.set(tenantId, tools.map(override)),
    holdNextRead: () => {
      const gate = deferred<void>();
      nextRead = gate.promise;
      return () => {
        nextRead = undefined;
        gate.resolve();
      };
    },
    failPublish: () => (publishFails = true),
  };
}

const tools = async (p: Promise<{ byTool: ReadonlyMap<string, unknown> }>) => [
  ...(await p).byTool.keys(),
];

describe(ApprovalOverridesCache.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-26T04:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("reads a tenant's overrides once, then serves them from memory, each tenant apart", async () => {
    const { sut, reads, store } = setup();
    store('acme', 'shop.pay');
    await sut.onModuleInit();
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    expect(await tools(sut.get('globex'))).toEqual([]);
    expect(reads).toEqual(['acme', 'globex']);
  });

  it('shares one read among the callers that come while it runs', async () => {
    const { sut, reads, holdNextRead } = setup();
    const release = holdNextRead();
    const both = Promise.all([sut.get('acme'), sut.get('acme')]);
    release();
    await both;
    expect(reads).toEqual(['acme']);
  });

  it("drops a tenant's copy when another replica announces a change, and only that tenant's", async () => {
    const { sut, reads, store, announce, subscribed } = setup();
    await sut.onModuleInit();
    expect(subscribed()).toBe(Tools.ApprovalPoliciesChanged);
    await sut.get('acme');
    await sut.get('globex');
    store('acme', 'shop.pay');
    announce('acme');
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    await sut.get('globex');
    expect(reads).toEqual(['acme', 'globex', 'acme']);
  });

  it('does not keep a read that was under way when a change was announced (it may predate it)', async () => {
    const { sut, reads, store, announce, holdNextRead } = setup();
    await sut.onModuleInit();
    const release = holdNextRead();
    const early = sut.get('acme');
    store('acme', 'shop.pay');
    announce('acme');
    release();
    expect(await tools(early)).toEqual([]);
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    expect(reads).toEqual(['acme', 'acme']);
  });

  it('drops its own copy at once on a change written here, and announces it to the others', async () => {
    const { sut, published, store } = setup();
    await sut.get('acme');
    store('acme', 'shop.pay');
    sut.changed({ tenantId: 'acme', tool: 'shop.pay', at: new Date().toISOString() });
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    expect(published).toEqual([
      {
        contract: Tools.ApprovalPoliciesChanged,
        payload: { tenantId: 'acme', tool: 'shop.pay', at: '2026-11-26T04:00:00.000Z' },
      },
    ]);
  });

  it('reads again once a copy is APPROVAL_POLICY_CACHE_TTL_MS old: a missed announcement heals', async () => {
    const { sut, reads, store } = setup();
    await sut.get('acme');
    store('acme', 'shop.pay');
    jest.advanceTimersByTime(TTL_MS - 1);
    expect(await tools(sut.get('acme'))).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(await tools(sut.get('acme'))).toEqual(['shop.pay']);
    expect(reads).toEqual(['acme', 'acme']);
  });

  it('keeps no failed read: the next caller reads again', async () => {
    const { sut, reads } = setup();
    const failing = sut as unknown as { repository: { all: () => Promise<never> } };
    const all = failing.repository.all;
    failing.repository.all = () => Promise.reject(new Error('database unreachable'));
    await expect(sut.get('acme')).rejects.toThrow('database unreachable');
    failing.repository.all = all;
    await expect(sut.get('acme')).resolves.toMatchObject({ version: expect.any(String) });
    expect(reads).toEqual(['acme']);
  });

  it('logs an announcement it cannot send, and still drops its own copy', async () => {
    const { sut, reads, warnings, failPublish } = setup();
    await sut.get('acme');
    failPublish();
    sut.changed({ tenantId: 'acme', tool: 'shop.pay', at: new Date().toISOString() });
    expect(warnings).toEqual([expect.stringContaining('APPROVAL_POLICY_CACHE_TTL_MS')]);
    await sut.get('acme');
    expect(reads).toEqual(['acme', 'acme']);
  });

  it('fingerprints the overrides: another set of them, another version', async () => {
    const { sut, store, announce } = setup();
    await sut.onModuleInit();
    const empty = (await sut.get('acme')).version;
    store('acme', 'shop.pay');
    announce('acme');
    expect((await sut.get('acme')).version).not.toBe(empty);
  });
});
