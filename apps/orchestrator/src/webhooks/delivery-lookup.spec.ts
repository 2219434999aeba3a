import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Webhooks } from '@switchboard/contracts';
import { ALL_TENANTS, type Audience } from '../tenancy/tenant-scope.js';
import type { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { DeliveryLookup } from './delivery-lookup.js';
import { refusalsSpy } from './webhook.fakes.js';

const rows = [
  { deliveryId: 'd-ann', tenantId: 'acme', userId: 'ann' },
  { deliveryId: 'd-bob', tenantId: 'acme', userId: 'bob' },
  { deliveryId: 'd-gus', tenantId: 'globex', userId: 'gus' },
] as Webhooks.WebhookDeliveryView[];

/** The repository's reads for an Audience, as its where clause does them (newest first). */
function setup() {
  const sees = (who: Audience) => (r: Webhooks.WebhookDeliveryView) =>
    (who.scope === ALL_TENANTS || who.scope === r.tenantId) &&
    (!who.userId || who.userId === r.userId);
  const deliveries = {
    get: async (id: string, who: Audience) => rows.find((r) => r.deliveryId === id && sees(who)(r)),
    list: async (q: { limit: number }, who: Audience) => ({
      deliveries: rows.filter(sees(who)).slice(0, q.limit),
    }),
    tenantOfDelivery: async (id: string) => rows.find((r) => r.deliveryId === id)?.tenantId,
  } as unknown as WebhookDeliveryRepository;
  const { refusals, records, settled } = refusalsSpy();
  return { sut: new DeliveryLookup(deliveries, refusals), records, settled };
}

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'acme' };

const answer = (p: Promise<Webhooks.WebhookDeliveryView>) =>
  p.then(
    (d) => d.deliveryId,
    (e: unknown) => (isDomainError(e) ? `${e.code}: ${e.message}` : String(e)),
  );

describe(DeliveryLookup.name, () => {
  it('finds a delivery for its owner, an admin of its tenant and the platform operator', async () => {
    const { sut } = setup();
    expect(await answer(sut.find('d-ann', ann, 'webhook.redeliver'))).toBe('d-ann');
    expect(await answer(sut.find('d-bob', alan, 'webhook.redeliver'))).toBe('d-bob');
    expect(await answer(sut.find('d-gus', operator, 'webhook.redeliver'))).toBe('d-gus');
  });

  it("answers another user's or another tenant's as a missing delivery; audits the other tenant's", async () => {
    const { sut, records, settled } = setup();
    expect(await answer(sut.find('d-bob', ann, 'webhook.redeliver'))).toBe(
      'NOT_FOUND: webhook delivery d-bob not found',
    );
    expect(await answer(sut.find('d-gus', alan, 'webhook.redeliver'))).toBe(
      'NOT_FOUND: webhook delivery d-gus not found',
    );
    await settled();
    expect(records).toEqual([
      expect.objectContaining({
        category: 'webhook',
        action: 'webhook.redeliver',
        outcome: 'denied',
        resource: 'd-gus',
        tenantId: 'acme',
      }),
    ]);
  });

  it("lists a user's own, an admin's tenant's, the operator's every tenant's", async () => {
    const { sut } = setup();
    const ids = async (actor: Actor, limit = 10) =>
      (await sut.list(actor, limit)).map((d) => d.deliveryId);
    expect(await ids(ann)).toEqual(['d-ann']);
    expect(await ids(alan)).toEqual(['d-ann', 'd-bob']);
    expect(await ids(operator, 2)).toEqual(['d-ann', 'd-bob']);
    expect(await ids(operator)).toEqual(['d-ann', 'd-bob', 'd-gus']);
  });
});
