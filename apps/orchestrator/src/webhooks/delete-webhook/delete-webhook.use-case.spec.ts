import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Webhooks } from '@switchboard/contracts';
import { ALL_TENANTS, type TenantScope } from '../../tenancy/tenant-scope.js';
import type { WebhookDeliveryRepository } from '../delivery/webhook-delivery.repository.js';
import { refusalsSpy } from '../webhook.fakes.js';
import { WebhookLookup } from '../webhook-lookup.js';
import type { WebhookRepository } from '../webhook.repository.js';
import { DeleteWebhookUseCase } from './delete-webhook.use-case.js';

const HOOK = '00000001-0000-4000-8000-000000000000';
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const gina: Actor = { userId: 'gina', role: 'admin', tenantId: 'globex' };

/** Ann's live subscription in acme, kept as the repository would (`deletedBy`: someone else was first). */
function setup(opts: { deletedBy?: 'someone-else' } = {}) {
  let live = true;
  const view = {
    webhookId: HOOK,
    tenantId: 'acme',
    userId: 'ann',
    url: 'https://hooks.example.com/ann?token=secret',
  } as Webhooks.WebhookView;
  const repository = {
    get: async (id: string, scope: TenantScope) =>
      id === HOOK && live && (scope === ALL_TENANTS || scope === view.tenantId) ? view : undefined,
    tenantOf: async (id: string) => (id === HOOK && live ? view.tenantId : undefined),
    delete: async () => {
      if (opts.deletedBy) live = false;
      const was = live;
      live = false;
      return was;
    },
  } as unknown as WebhookRepository;
  const cancelled: string[] = [];
  const deliveries = {
    cancelOfSubscription: async (id: string) => (cancelled.push(id), 2),
  } as unknown as WebhookDeliveryRepository;
  const { refusals, audit, records, settled } = refusalsSpy();
  const sut = new DeleteWebhookUseCase(
    new WebhookLookup(repository, refusals),
    repository,
    deliveries,
    audit,
  );
  return { sut, cancelled, records, settled };
}

const refused = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isDomainError(e) ? `${e.code}: ${e.message}` : String(e)),
  );

describe(DeleteWebhookUseCase.name, () => {
  it.each([
    ['its subscriber', ann],
    ['an admin of its tenant', alan],
  ])(
    'deletes it for %s, cancels its unsent deliveries, audited with its owner',
    async (_, actor) => {
      const { sut, cancelled, records, settled } = setup();
      expect(await sut.execute(HOOK, actor)).toEqual({ webhookId: HOOK, cancelledDeliveries: 2 });
      await settled();
      expect(cancelled).toEqual([HOOK]);
      expect(records).toEqual([
        expect.objectContaining({
          action: 'webhook.delete',
          outcome: 'success',
          tenantId: 'acme',
          details: {
            webhookId: HOOK,
            owner: 'ann',
            url: 'https://hooks.example.com/ann?…',
            cancelledDeliveries: 2,
          },
        }),
      ]);
    },
  );

  it("answers another user's as missing, deleting nothing and auditing no refusal (same tenant)", async () => {
    const { sut, cancelled, records, settled } = setup();
    expect(await refused(sut.execute(HOOK, bob))).toBe(`NOT_FOUND: webhook ${HOOK} not found`);
    await settled();
    expect([cancelled, records]).toEqual([[], []]);
  });

  it("answers another tenant's as missing and audits the refusal in the actor's tenant", async () => {
    const { sut, cancelled, records, settled } = setup();
    expect(await refused(sut.execute(HOOK, gina))).toBe(`NOT_FOUND: webhook ${HOOK} not found`);
    await settled();
    expect(cancelled).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({
        category: 'webhook',
        action: 'webhook.delete',
        outcome: 'denied',
        resource: HOOK,
        tenantId: 'globex',
        details: { reason: 'other_tenant' },
      }),
    ]);
  });

  it('answers NOT_FOUND when it was deleted since it was found, cancelling and auditing nothing', async () => {
    const { sut, cancelled, records, settled } = setup({ deletedBy: 'someone-else' });
    expect(await refused(sut.execute(HOOK, alan))).toBe(`NOT_FOUND: webhook ${HOOK} not found`);
    await settled();
    expect([cancelled, records]).toEqual([[], []]);
  });
});
