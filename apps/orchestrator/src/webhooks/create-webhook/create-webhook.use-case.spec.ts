import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Webhooks } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { CheckWebhookTargetUseCase } from '../check-webhook-target/check-webhook-target.use-case.js';
import { TargetRefused } from '../target/webhook-targets.js';
import type { NewSubscription, WebhookRepository } from '../webhook.repository.js';
import { CreateWebhookUseCase } from './create-webhook.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };

function setup(refusal?: TargetRefused) {
  const created: NewSubscription[] = [];
  /** What happened, in order: a subscription stored. */
  const order: string[] = [];
  const audits: Record<string, unknown>[] = [];
  const target = {
    execute: async () => {
      if (refusal) throw refusal;
      return undefined;
    },
  } as unknown as CheckWebhookTargetUseCase;
  const repository = {
    create: async (s: NewSubscription) => {
      created.push(s);
      order.push('stored');
      const { secret: _secret, description: _d, ...view } = s;
      return { ...view, webhookId: s.id, createdAt: '2026-11-25T10:00:00.000Z' };
    },
  } as unknown as WebhookRepository;
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  const sut = new CreateWebhookUseCase(target, repository, audit as unknown as AuditTrail);
  return { sut, created, audits, order };
}

const req = (over: Partial<Webhooks.WebhookCreateRequest> = {}): Webhooks.WebhookCreateRequest => ({
  url: 'https://h.example/in?token=abc',
  events: ['ended'],
  scope: 'own',
  ...over,
});

describe(CreateWebhookUseCase.name, () => {
  it("subscribes in the actor's tenant with a new secret, answered once and never audited", async () => {
    const { sut, created, audits } = setup();
    const answer = await sut.execute(req(), ann);
    expect(answer.secret).toMatch(/^whsec_/);
    expect(created[0]).toMatchObject({ tenantId: 'acme', userId: 'ann', secret: answer.secret });
    const trail = JSON.stringify(audits);
    expect(audits[0]).toMatchObject({ action: 'webhook.create', outcome: 'success' });
    expect(trail).not.toContain(answer.secret.slice(6));
    expect(trail).not.toContain('token=abc');
  });

  it('lets admins alone subscribe to every task of the tenant', async () => {
    const { sut, created } = setup();
    const refused = await sut.execute(req({ scope: 'tenant' }), ann).catch((e: unknown) => e);
    expect(isDomainError(refused) && refused.code).toBe('FORBIDDEN');
    await sut.execute(req({ scope: 'tenant' }), alan);
    expect(created.map((c) => [c.userId, c.scope])).toEqual([['alan', 'tenant']]);
  });

  it('stores a webhook asking for every event at once (its deliveries are enqueued as events are journaled)', async () => {
    const { sut, order } = setup();
    await sut.execute(req({ events: ['*'] }), ann);
    expect(order).toEqual(['stored']);
  });

  it('stores nothing for a target the URL policy refuses', async () => {
    const refusal = new TargetRefused('url', '10.0.0.1 is a private address', 'address');
    const { sut, created, audits } = setup(refusal);
    await expect(sut.execute(req(), ann)).rejects.toBe(refusal);
    expect([created, audits]).toEqual([[], []]);
  });
});
