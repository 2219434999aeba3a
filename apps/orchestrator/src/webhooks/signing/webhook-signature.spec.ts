import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { messageIdOf, newWebhookSecret, signWebhook } from './webhook-signature.js';

// The Standard Webhooks specification's own example (standard-webhooks/spec, "Signature scheme"):
// this secret, id, timestamp and body sign to this signature in every reference implementation.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signatures (Standard Webhooks)', () => {
  it("signs the specification's example exactly as its reference implementations do", () => {
    expect(signWebhook([SPEC.secret], SPEC.id, SPEC.timestamp, SPEC.body)).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': String(SPEC.timestamp),
      'webhook-signature': SPEC.signature,
    });
  });

  it('signs with every secret given, space-separated, the current one first', () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const both = signWebhook([a, b], 'msg_1', 1, '{}')['webhook-signature'].split(' ');
    expect(both).toHaveLength(2);
    expect(both[0]).toBe(signWebhook([a], 'msg_1', 1, '{}')['webhook-signature']);
    expect(both[1]).toBe(signWebhook([b], 'msg_1', 1, '{}')['webhook-signature']);
  });

  it('covers the id, the timestamp and the body: changing any changes the signature', () => {
    const secret = newWebhookSecret();
    const sig = (id: string, ts: number, body: string) =>
      signWebhook([secret], id, ts, body)['webhook-signature'];
    const base = sig('msg_1', 100, '{"a":1}');
    expect(sig('msg_2', 100, '{"a":1}')).not.toBe(base);
    expect(sig('msg_1', 101, '{"a":1}')).not.toBe(base);
    expect(sig('msg_1', 100, '{"a":2}')).not.toBe(base);
    // HMAC-SHA256 with the decoded key over "id.timestamp.body", base64.
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update('msg_1.100.{"a":1}').digest('base64');
    expect(base).toBe(`v1,${mac}`);
  });

  it('makes whsec_ secrets of 32 random bytes, never the same twice', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });

  it('gives a delivery one stable webhook-id', () => {
    const id = '0b7c9f3e-2f7a-4c1e-9a55-0e4f6b8d2c11';
    expect(messageIdOf(id)).toBe('msg_0b7c9f3e2f7a4c1e9a550e4f6b8d2c11');
    expect(messageIdOf(id)).toBe(messageIdOf(id));
  });
});
