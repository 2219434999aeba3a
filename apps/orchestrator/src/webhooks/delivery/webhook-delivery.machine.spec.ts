import { describe, expect, it } from '@jest/globals';
import { IllegalTransition, type Webhooks } from '@switchboard/contracts';
import { type DeliveryTrigger, WEBHOOK_DELIVERY } from './webhook-delivery.machine.js';

const walk = WEBHOOK_DELIVERY.walk.bind(WEBHOOK_DELIVERY);

describe('the webhook delivery machine', () => {
  it('is claimed, sent and delivered', () => {
    expect(walk('leased', 'succeeded').history).toEqual(['pending', 'sending', 'delivered']);
    expect(WEBHOOK_DELIVERY.isFinal('delivered')).toBe(true);
  });

  it('goes back to pending after a failed attempt, and is claimed again', () => {
    expect(walk('leased', 'failed', 'leased', 'succeeded').history).toEqual([
      'pending',
      'sending',
      'pending',
      'sending',
      'delivered',
    ]);
  });

  it('is claimed again by another replica when the one sending it died (lease ran out)', () => {
    expect(walk('leased', 'leased').state).toBe('sending');
  });

  it('dies when it gives up, and a redelivery makes it pending again', () => {
    const d = walk('leased', 'gave-up');
    expect(d.state).toBe('dead');
    expect(d.isFinal).toBe(false);
    expect(walk('leased', 'gave-up', 'redelivered', 'leased', 'succeeded').state).toBe('delivered');
  });

  it.each<[Webhooks.WebhookDeliveryStatus, DeliveryTrigger]>([
    ['pending', 'redelivered'],
    ['sending', 'redelivered'],
    ['delivered', 'redelivered'],
    ['cancelled', 'redelivered'],
    ['pending', 'succeeded'],
    ['pending', 'failed'],
    ['dead', 'leased'],
    ['dead', 'succeeded'],
    ['sending', 'subscription-deleted'],
    ['delivered', 'leased'],
  ])('refuses %s on %s', (state, trigger) => {
    expect(WEBHOOK_DELIVERY.target(state, trigger)).toBeUndefined();
  });

  it('cancels a pending delivery of a deleted subscription, and nothing leaves cancelled', () => {
    const d = walk('subscription-deleted');
    expect(d.state).toBe('cancelled');
    expect(() => d.fire('leased')).toThrow(IllegalTransition);
  });
});
