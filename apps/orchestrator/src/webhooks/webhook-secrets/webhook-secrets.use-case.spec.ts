import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { ALL_TENANTS } from '../../tenancy/tenant-scope.js';
import { refusalsSpy } from '../webhook.fakes.js';
import { WebhookLookup } from '../webhook-lookup.js';
import type { StoredSecret, WebhookRepository } from '../webhook.repository.js';
import { WebhookSecretsUseCase } from './webhook-secrets.use-case.js';

const HOOK = '00000001-0000-4000-8000-000000000000';
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const bob: Actor = { userId: 'bob', role: 'user', tenantId: 'acme' };
const gina: Actor = { userId: 'gina', role: 'admin', tenantId: 'globex' };
const operator: Actor = { userId: 'ops', role: 'platform-admin', tenantId: 'acme' };
/** The platform operator with ann's user id, in another tenant: someone else than acme's ann. */
const otherAnn: Actor = { userId: 'ann', role: 'platform-admin', tenantId: 'globex' };

/** A subscription of ann's, and users' task-webhook secrets, kept as the repository would. */
function setup() {
  const subscription: StoredSecret = {
    secret: 'whsec_c3Vic2NyaXB0aW9uIHNlY3JldCBvZiAzMiBieXRlcyE=',
    previousSecret: null,
    previousSecretUntil: null,
  };
  const users = new Map<string, StoredSecret>();
  const repository = {
    get: async (id: string, scope: unknown) =>
      id === HOOK && (scope === 'acme' || scope === ALL_TENANTS)
        ? { webhookId: HOOK, userId: 'ann', tenantId: 'acme' }
        : undefined,
    tenantOf: async (id: string) => (id === HOOK ? 'acme' : undefined),
    subscriptionSecret: async () => subscription,
    rotateSubscriptionSecret: async (_id: string, fresh: string, until: Date) => {
      Object.assign(subscription, {
        previousSecret: subscription.secret,
        secret: fresh,
        previousSecretUntil: until,
      });
    },
    userSecret: async (tenant: string, user: string, fresh: string) => {
      const key = `${tenant}/${user}`;
      if (!users.has(key))
        users.set(key, { secret: fresh, previousSecret: null, previousSecretUntil: null });
      return users.get(key)!;
    },
    rotateUserSecret: async (tenant: string, user: string, fresh: string, until: Date) => {
      const key = `${tenant}/${user}`;
      const old = users.get(key);
      users.set(key, {
        secret: fresh,
        previousSecret: old?.secret ?? null,
        previousSecretUntil: until,
      });
    },
  } as unknown as WebhookRepository;
  const { refusals, audit, records: audits, settled } = refusalsSpy();
  const sut = new WebhookSecretsUseCase(
    new WebhookLookup(repository, refusals),
    repository,
    audit,
    {
      WEBHOOK_ROTATION_GRACE_MS: 60_000,
    },
  );
  return { sut, audits, settled };
}

const code = (e: unknown) => (isDomainError(e) ? e.code : String(e));

describe(WebhookSecretsUseCase.name, () => {
  it('gives each user their own task-webhook secret, made on first use and then the same', async () => {
    const { sut } = setup();
    const first = await sut.get({}, ann);
    expect(first.secret).toMatch(/^whsec_/);
    expect(await sut.get({}, ann)).toEqual(first);
    expect((await sut.get({}, bob)).secret).not.toBe(first.secret);
  });

  it('rotates it: the new one signs, the old one too until the grace ends', async () => {
    const { sut } = setup();
    const old = await sut.get({}, ann);
    const rotated = await sut.rotate({}, ann);
    expect(rotated.secret).not.toBe(old.secret);
    expect(Date.parse(rotated.previousValidUntil ?? '') - Date.now()).toBeGreaterThan(50_000);
  });

  it("shows a subscription's secret to its subscriber only: an admin is refused, another user finds nothing", async () => {
    const { sut } = setup();
    expect((await sut.get({ webhookId: HOOK }, ann)).secret).toMatch(/^whsec_/);
    expect(code(await sut.get({ webhookId: HOOK }, alan).catch((e: unknown) => e))).toBe(
      'FORBIDDEN',
    );
    expect(code(await sut.get({ webhookId: HOOK }, bob).catch((e: unknown) => e))).toBe(
      'NOT_FOUND',
    );
    expect(code(await sut.rotate({ webhookId: HOOK }, bob).catch((e: unknown) => e))).toBe(
      'NOT_FOUND',
    );
  });

  it('refuses it to the platform operator, who sees every tenant but subscribed to none of these', async () => {
    const { sut, audits, settled } = setup();
    for (const actor of [operator, otherAnn])
      for (const asked of [
        sut.get({ webhookId: HOOK }, actor),
        sut.rotate({ webhookId: HOOK }, actor),
      ])
        expect(
          await asked.then(String, (e: unknown) => `${code(e)}: ${(e as Error).message}`),
        ).toBe('FORBIDDEN: only its subscriber (ann) may have its secret');
    await settled();
    expect(audits).toEqual([]);
  });

  it("answers another tenant's as missing and audits the refusal; another user's is not audited", async () => {
    const { sut, audits, settled } = setup();
    for (const actor of [gina, bob]) {
      for (const asked of [
        sut.get({ webhookId: HOOK }, actor),
        sut.rotate({ webhookId: HOOK }, actor),
      ])
        expect(
          await asked.then(String, (e: unknown) => `${code(e)}: ${(e as Error).message}`),
        ).toBe(`NOT_FOUND: webhook ${HOOK} not found`);
    }
    await settled();
    expect(audits).toEqual(
      ['webhook.secret.read', 'webhook.secret.rotate'].map((action) =>
        expect.objectContaining({
          category: 'webhook',
          action,
          outcome: 'denied',
          resource: HOOK,
          tenantId: 'globex',
          details: { reason: 'other_tenant' },
        }),
      ),
    );
  });

  it('audits every read and rotation without the secret', async () => {
    const { sut, audits } = setup();
    const a = await sut.get({}, ann);
    const b = await sut.rotate({ webhookId: HOOK }, ann);
    const trail = JSON.stringify(audits);
    expect(audits).toHaveLength(2);
    for (const s of [a.secret, b.secret]) expect(trail).not.toContain(s.slice(6));
  });
});
