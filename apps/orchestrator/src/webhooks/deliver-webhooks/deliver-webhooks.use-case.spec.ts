import { describe, expect, it, jest } from '@jest/globals';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type {
  LeasedDelivery,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import type { WebhookMetrics } from '../webhook.metrics.js';
import type { DeliveryAttempt } from './delivery-attempt.js';
import { DeliverWebhooksUseCase } from './deliver-webhooks.use-case.js';

const settings = {
  WEBHOOK_SWEEP_MS: 1_000,
  WEBHOOK_CONCURRENCY: 4,
  WEBHOOK_TIMEOUT_MS: 10_000,
  WEBHOOK_RETENTION_MS: 60_000,
  WEBHOOK_DEAD_RETENTION_MS: 60_000,
};

/** Every queued microtask (the job's promise chain) runs; no time passes. */
const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * A sender whose claims answer `due()` once `claimGate` lets them (each claim waits for the next
 * `releaseClaim`), and whose attempts end (failing unexpectedly: nothing stored) on `releaseAttempt`.
 */
function setup(due: () => LeasedDelivery[] = () => []) {
  const claims: (() => void)[] = [];
  const attempts: (() => void)[] = [];
  let claimed = 0;
  const deliveries = {
    claimDue: async () => {
      claimed++;
      await new Promise<void>((r) => claims.push(r));
      return due();
    },
    purge: async () => 0,
  } as unknown as WebhookDeliveryRepository;
  const attempt = {
    run: () => new Promise((_, fail) => attempts.push(() => fail(new Error('attempt ended')))),
  } as unknown as DeliveryAttempt;
  const logger = { warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger;
  const sut = new DeliverWebhooksUseCase(
    deliveries,
    attempt,
    {} as WebhookMetrics,
    {} as AuditTrail,
    settings,
    logger,
  );
  return {
    sut,
    claimed: () => claimed,
    releaseClaim: async () => (claims.shift()?.(), settle()),
    releaseAttempt: async () => (attempts.shift()?.(), settle()),
  };
}

describe(DeliverWebhooksUseCase.name, () => {
  it('sweeps once more after a sweep that new deliveries were kicked during, never two at once', async () => {
    const t = setup();
    t.sut.kick();
    t.sut.kick(); // deliveries stored while the claim is under way: it may have missed them
    t.sut.kick();
    expect(t.claimed()).toBe(1);
    await t.releaseClaim();
    expect(t.claimed()).toBe(2);
    await t.releaseClaim();
    expect(t.claimed()).toBe(2);
  });

  it('at shutdown waits for the attempts under way, and no kick sweeps after it', async () => {
    const d = { id: 'd1', taskId: 't1', attempts: 1, url: 'https://example.test/hook' };
    const t = setup(() => [d as LeasedDelivery]);
    t.sut.kick();
    await t.releaseClaim();
    let down = false;
    const destroyed = t.sut.onModuleDestroy().then(() => (down = true));
    await settle();
    expect(down).toBe(false);
    await t.releaseAttempt();
    await destroyed;
    t.sut.kick();
    expect(t.claimed()).toBe(1);
  });
});
