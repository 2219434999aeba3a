import { describe, expect, it } from '@jest/globals';
import { defineEvent } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { z } from 'zod';
import type { NatsBus } from './nats-bus.service.js';
import { TenantCopies } from './tenant-copies.js';

const Changed = defineEvent({
  template: 'sb.evt.test.rules.changed',
  tokens: [],
  payload: z.object({ tenantId: z.string(), kind: z.enum(['a', 'b']) }),
  delivery: 'at-most-once',
  producers: ['orchestrator'],
  consumers: ['orchestrator'],
  description: 'test',
});

/** Copies of kind `a` over a store of one number per tenant, every read counted; a clock the test moves. */
class Numbers extends TenantCopies<number, typeof Changed> {
  readonly stored = new Map<string, number>();
  readonly reads: string[] = [];

  constructor(bus: NatsBus, ttlMs: number, clock: { now: number }) {
    super(bus, { warn: () => undefined } as unknown as Logger, {
      event: Changed,
      concerns: (change) => change.kind === 'a',
      ttlMs,
      what: 'numbers',
      ttlSetting: 'NUMBERS_TTL_MS',
      maxTenants: 2,
      now: () => clock.now,
    });
  }

  protected override read(tenantId: string): Promise<number> {
    this.reads.push(tenantId);
    return Promise.resolve(this.stored.get(tenantId) ?? 0);
  }
}

function setup(ttlMs = 1_000) {
  let heard: ((change: { tenantId: string; kind: 'a' | 'b' }) => void) | undefined;
  const bus = {
    subscribe: (_event: unknown, handler: typeof heard) => {
      heard = handler;
      return { ready: Promise.resolve(), unsubscribe: () => undefined };
    },
    publish: () => undefined,
  } as unknown as NatsBus;
  const clock = { now: 0 };
  const sut = new Numbers(bus, ttlMs, clock);
  return { sut, clock, hear: (tenantId: string, kind: 'a' | 'b') => heard?.({ tenantId, kind }) };
}

describe(TenantCopies.name, () => {
  it('reads once per tenant within ttlMs, and again once it is past', async () => {
    const { sut, clock } = setup();
    sut.stored.set('acme', 1);
    expect([await sut.get('acme'), await sut.get('acme')]).toEqual([1, 1]);
    sut.stored.set('acme', 2);
    clock.now = 999;
    expect(await sut.get('acme')).toBe(1);
    clock.now = 1_000;
    expect(await sut.get('acme')).toBe(2);
    expect(sut.reads).toEqual(['acme', 'acme']);
  });

  it('keeps nothing with a ttlMs of 0: every get reads', async () => {
    const { sut } = setup(0);
    await sut.get('acme');
    await sut.get('acme');
    expect(sut.reads).toEqual(['acme', 'acme']);
  });

  it("drops a tenant's copy on an announcement about its kind, not on another kind's", async () => {
    const { sut, hear } = setup();
    await sut.onModuleInit();
    await sut.get('acme');
    hear('acme', 'b');
    await sut.get('acme');
    hear('acme', 'a');
    await sut.get('acme');
    expect(sut.reads).toEqual(['acme', 'acme']);
  });

  it('keeps at most maxTenants, the least recently read going first', async () => {
    const { sut } = setup();
    for (const tenant of ['acme', 'globex', 'initech', 'acme']) await sut.get(tenant);
    expect(sut.reads).toEqual(['acme', 'globex', 'initech', 'acme']);
  });
});
