import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Webhooks } from '@switchboard/contracts';
import type { DeliverWebhooksUseCase } from '../deliver-webhooks/deliver-webhooks.use-case.js';
import type { Audience } from '../../tenancy/tenant-scope.js';
import type { WebhookDeliveryRepository } from '../delivery/webhook-delivery.repository.js';
import { DeliveryLookup } from '../delivery-lookup.js';
import { refusalsSpy } from '../webhook.fakes.js';
import type { WebhookRepository } from '../webhook.repository.js';
import { RedeliverWebhookUseCase } from './redeliver-webhook.use-case.js';

const ID = '0b7c9f3e-2f7a-4c1e-9a55-0e4f6b8d2c11';
const HOOK = '00000001-0000-4000-8000-000000000000';
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const gina: Actor = { userId: 'gina', role: 'admin', tenantId: 'globex' };

function setup(status: Webhooks.WebhookDeliveryStatus, hookLive = true) {
  const row = {
    deliveryId: ID,
    messageId: 'msg_x',
    tenantId: 'acme',
    userId: 'ann',
    webhookId: HOOK,
    taskId: '11111111-1111-4111-8111-111111111111',
    event: 'orchestrator.task.completed',
    status,
  } as Webhooks.WebhookDeliveryView;
  const calls = { redelivered: 0, kicked: 0 };
  const visible = (who: Audience) =>
    (who.scope === row.tenantId || typeof who.scope === 'symbol') &&
    (!who.userId || who.userId === row.userId);
  const deliveries = {
    get: async (_id: string, who: Audience) => (visible(who) ? row : undefined),
    tenantOfDelivery: async (id: string) => (id === ID ? row.tenantId : undefined),
    redeliver: async () => {
      if (row.status !== 'dead') return undefined;
      calls.redelivered++;
      row.status = 'pending';
      return row;
    },
  } as unknown as WebhookDeliveryRepository;
  const subscriptions = {
    get: async () => (hookLive ? { webhookId: HOOK } : undefined),
  } as unknown as WebhookRepository;
  const sender = { kick: () => calls.kicked++ } as unknown as DeliverWebhooksUseCase;
  const { refusals, audit, records: audits, settled } = refusalsSpy();
  const sut = new RedeliverWebhookUseCase(
    new DeliveryLookup(deliveries, refusals),
    deliveries,
    subscriptions,
    sender,
    audit,
    { WEBHOOK_RETRY_FOR_MS: 60_000 },
  );
  return { sut, calls, audits, settled };
}

const code = (e: unknown) => (isDomainError(e) ? e.code : String(e));

describe(RedeliverWebhookUseCase.name, () => {
  it('makes a dead delivery pending again, audits it and wakes the sender; a second time is 409', async () => {
    const { sut, calls, audits } = setup('dead');
    expect((await sut.execute(ID, alan)).status).toBe('pending');
    expect(calls).toMatchObject({ redelivered: 1, kicked: 1 });
    expect(audits[0]).toMatchObject({ action: 'webhook.redeliver', tenantId: 'acme' });
    expect(code(await sut.execute(ID, alan).catch((e: unknown) => e))).toBe('CONFLICT');
  });

  it.each<Webhooks.WebhookDeliveryStatus>(['pending', 'sending', 'delivered', 'cancelled'])(
    'refuses a delivery that is %s (CONFLICT)',
    async (status) => {
      const { sut, calls } = setup(status);
      expect(code(await sut.execute(ID, alan).catch((e: unknown) => e))).toBe('CONFLICT');
      expect(calls.redelivered).toBe(0);
    },
  );

  it('refuses one whose subscription was deleted', async () => {
    const { sut } = setup('dead', false);
    const e = await sut.execute(ID, alan).catch((err: unknown) => err);
    expect([code(e), (e as Error).message]).toEqual([
      'CONFLICT',
      expect.stringContaining('deleted'),
    ]);
  });

  it("answers another user's or another tenant's as missing, and has the refusal audited", async () => {
    const { sut, calls, audits, settled } = setup('dead');
    for (const actor of [bob, gina])
      expect(
        await sut
          .execute(ID, actor)
          .then(String, (e: unknown) => `${code(e)}: ${(e as Error).message}`),
      ).toBe(`NOT_FOUND: webhook delivery ${ID} not found`);
    await settled();
    expect(calls.redelivered).toBe(0);
    // Only gina's is another tenant's: bob is of acme, whose delivery it is.
    expect(audits).toEqual([
      expect.objectContaining({
        category: 'webhook',
        action: 'webhook.redeliver',
        outcome: 'denied',
        resource: ID,
        tenantId: 'globex',
        details: { reason: 'other_tenant' },
      }),
    ]);
  });
});
