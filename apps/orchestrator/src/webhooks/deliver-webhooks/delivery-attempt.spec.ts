import { describe, expect, it } from '@jest/globals';
import type { LeasedDelivery } from '../delivery/webhook-delivery.repository.js';
import type { AttemptResult, WebhookSender } from '../delivery/webhook-sender.js';
import { TargetRefused, type WebhookTargets } from '../target/webhook-targets.js';
import type { WebhookRepository } from '../webhook.repository.js';
import type { PushHeaders, PushHeadersSource } from '../delivery/push-headers.port.js';
import { DeliveryAttempt } from './delivery-attempt.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD = 'whsec_dGhlIG9sZCBzZWNyZXQgb2YgMzIgYnl0ZXMgbG9uZw==';

const leased = (over: Partial<LeasedDelivery> = {}): LeasedDelivery => ({
  id: '0b7c9f3e-2f7a-4c1e-9a55-0e4f6b8d2c11',
  tenantId: 'acme',
  userId: 'ann',
  subscriptionId: null,
  pushConfigId: null,
  taskId: '11111111-1111-4111-8111-111111111111',
  seq: 3,
  event: 'orchestrator.task.completed',
  url: 'https://h.example/in',
  body: '{"type":"orchestrator.task.completed"}',
  attempts: 1,
  giveUpAt: new Date(Date.now() + 60_000),
  leaseToken: 'token',
  traceparent: null,
  ...over,
});

function setup(answer: AttemptResult | Error, refused?: TargetRefused, push?: PushHeaders) {
  const sent: Record<string, string>[] = [];
  const extras: unknown[] = [];
  const targets = {
    check: async (url: string) => {
      if (refused) throw refused;
      return { url: new URL(url), addresses: [{ address: '93.184.215.14', family: 4 }] };
    },
  } as unknown as WebhookTargets;
  const sender = {
    send: async (_t: unknown, headers: Record<string, string>, _b: string, extra?: unknown) => {
      sent.push(headers);
      extras.push(extra);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as WebhookSender;
  const secrets = {
    userSecret: async () => ({
      secret: SECRET,
      previousSecret: OLD,
      previousSecretUntil: new Date(Date.now() + 1_000),
    }),
    subscriptionSecret: async () => ({
      secret: SECRET,
      previousSecret: OLD,
      previousSecretUntil: new Date(Date.now() - 1_000),
    }),
  } as unknown as WebhookRepository;
  const pushes = { headersOf: async () => push } satisfies PushHeadersSource;
  const sut = new DeliveryAttempt(
    targets,
    sender,
    secrets,
    { WEBHOOK_RETRY_INITIAL_MS: 1_000, WEBHOOK_RETRY_MAX_DELAY_MS: 10_000 },
    pushes,
  );
  return { sut, sent, extras };
}

describe(DeliveryAttempt.name, () => {
  it('signs with the current secret and, in its grace, the replaced one; a 2xx delivers it', async () => {
    const { sut, sent } = setup({ ok: true, status: 200, message: 'HTTP 200' });
    const report = await sut.run(leased());
    expect(report).toMatchObject({ trigger: 'succeeded', outcome: { status: 'delivered' } });
    expect(sent[0]?.['webhook-id']).toBe('msg_0b7c9f3e2f7a4c1e9a550e4f6b8d2c11');
    expect(sent[0]?.['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  it("signs a subscription's delivery with its secret alone once the grace is over", async () => {
    const { sut, sent } = setup({ ok: true, status: 204, message: 'HTTP 204' });
    await sut.run(leased({ subscriptionId: '00000001-0000-4000-8000-000000000000' }));
    expect(sent[0]?.['webhook-signature']?.split(' ')).toHaveLength(1);
  });

  it('retries a failure after the backoff within the window, and gives up past it', async () => {
    const failed: AttemptResult = { ok: false, status: 500, reason: 'http_status', message: 'x' };
    const retry = await setup(failed).sut.run(leased({ attempts: 2 }));
    expect(retry.trigger).toBe('failed');
    expect(retry.outcome.status).toBe('pending');
    const at = retry.outcome.status === 'pending' ? retry.outcome.nextAttemptAt.getTime() : 0;
    expect(at - Date.now()).toBeGreaterThan(900);
    expect(at - Date.now()).toBeLessThanOrEqual(2_000);
    const dead = await setup(failed).sut.run(leased({ giveUpAt: new Date(Date.now() - 1) }));
    expect(dead).toMatchObject({ trigger: 'gave-up', outcome: { status: 'dead' } });
  });

  it('gives up at once on a target the URL policy refuses now, without sending', async () => {
    const refused = new TargetRefused(
      'url',
      'h.example resolves to 10.0.0.1, a private address',
      'address',
    );
    const { sut, sent } = setup({ ok: true, status: 200, message: '' }, refused);
    const report = await sut.run(leased());
    expect(report).toMatchObject({
      trigger: 'gave-up',
      outcome: { status: 'dead' },
      result: { reason: 'target_forbidden', message: refused.reason },
    });
    expect(sent).toEqual([]);
  });

  it('retries a host that does not resolve now (DNS may come back)', async () => {
    const gone = new TargetRefused(
      'url',
      'h.example does not resolve to any address',
      'unresolvable',
    );
    const report = await setup({ ok: true, status: 200, message: '' }, gone).sut.run(leased());
    expect(report).toMatchObject({ trigger: 'failed', result: { reason: 'network' } });
  });

  it("sends an A2A push notification signed, with its config's token, authorization and media type", async () => {
    const { sut, sent, extras } = setup({ ok: true, status: 200, message: 'HTTP 200' }, undefined, {
      token: 'tok-1',
      authorization: 'Bearer abc',
      wireVersion: '1.0',
    });
    const report = await sut.run(leased({ pushConfigId: '5b0c4a52-3f0e-4f7e-9d55-000000000001' }));
    expect(report.outcome).toEqual({ status: 'delivered' });
    expect(sent[0]?.['webhook-signature']).toMatch(/^v1,/);
    expect(extras[0]).toEqual({
      contentType: 'application/a2a+json',
      headers: { 'x-a2a-notification-token': 'tok-1', authorization: 'Bearer abc' },
    });
  });

  it('gives up a push notification whose config was deleted, sending nothing', async () => {
    const { sut, sent } = setup({ ok: true, status: 200, message: 'HTTP 200' });
    const report = await sut.run(leased({ pushConfigId: '5b0c4a52-3f0e-4f7e-9d55-000000000001' }));
    expect(report.outcome).toEqual({ status: 'dead' });
    expect(report.result.message).toMatch(/config was deleted/);
    expect(sent).toEqual([]);
  });
});
