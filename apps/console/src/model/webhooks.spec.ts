import { describe, expect, it } from '@jest/globals';
import type { WebhookDeliveryView } from '@switchboard/client';
import { deliveryWords, eventsWords, subscribeBody, type SubscribeForm } from './webhooks';

const form = (over: Partial<SubscribeForm> = {}): SubscribeForm => ({
  url: 'https://hooks.example.com/in',
  events: ['ended'],
  scope: 'own',
  description: '',
  ...over,
});

describe(subscribeBody.name, () => {
  it('makes the body of POST /webhooks, trimmed, without an empty description', () => {
    expect(subscribeBody(form({ url: '  https://h.example/x ', description: ' ops ' }))).toEqual({
      ok: true,
      body: { url: 'https://h.example/x', events: ['ended'], scope: 'own', description: 'ops' },
    });
    expect(subscribeBody(form({ scope: 'tenant' }))).toMatchObject({ body: { scope: 'tenant' } });
  });

  it('asks for "every event" alone when it is chosen with others', () => {
    expect(subscribeBody(form({ events: ['ended', '*'] }))).toMatchObject({
      body: { events: ['*'] },
    });
  });

  it('says what is missing instead of sending it', () => {
    expect(subscribeBody(form({ url: ' ' }))).toEqual({
      ok: false,
      problem: 'Give the URL to call.',
    });
    expect(subscribeBody(form({ url: 'ftp://x' }))).toMatchObject({ ok: false });
    expect(subscribeBody(form({ events: [] }))).toEqual({
      ok: false,
      problem: 'Choose at least one kind of event.',
    });
  });
});

describe(deliveryWords.name, () => {
  const d = (over: Partial<WebhookDeliveryView>): WebhookDeliveryView =>
    ({ status: 'pending', attempts: 0, ...over }) as WebhookDeliveryView;
  it('says where a delivery stands and why the last attempt failed', () => {
    expect(deliveryWords(d({}))).toBe('Waiting to be sent');
    expect(deliveryWords(d({ status: 'delivered', attempts: 1 }))).toBe(
      'Delivered after 1 attempt',
    );
    expect(
      deliveryWords(
        d({
          status: 'dead',
          attempts: 3,
          lastError: { reason: 'http_status', status: 500, message: 'HTTP 500' },
        }),
      ),
    ).toBe('Gave up after 3 attempts: HTTP 500');
    expect(
      deliveryWords(
        d({ attempts: 2, lastError: { reason: 'network', message: 'ECONNREFUSED: refused' } }),
      ),
    ).toBe('Failed 2 attempts, retrying: ECONNREFUSED: refused');
    expect(deliveryWords(d({ status: 'cancelled' }))).toBe('Cancelled: its webhook was deleted');
  });

  it('names the events of a subscription', () => {
    expect(eventsWords(['ended', 'approval.requested'])).toBe('Task ended, Approval requested');
    expect(eventsWords(['*'])).toBe('Every event');
  });
});
