import { describe, expect, it } from '@jest/globals';
import type { DomainError, Xmpp } from '@switchboard/contracts';
import { assertFitsInNats, bodyLimitFor } from './xmpp-bridge.handler.js';

const response = (encoding: 'text' | 'base64', data: string): Xmpp.HttpOverXmppResponse => ({
  status: 200,
  headers: [],
  body: { encoding, data },
  via: 'a@b/c',
});

describe(assertFitsInNats.name, () => {
  it('lets through a response that fits in a NATS message', () => {
    expect(() =>
      assertFitsInNats(response('base64', 'A'.repeat(700_000)), 1_048_576),
    ).not.toThrow();
  });

  it('refuses, typed and clearly, a response NATS would drop (the caller would only time out)', () => {
    // 600,000 quotes become 1,200,000 bytes once JSON-escaped.
    let error: DomainError | undefined;
    try {
      assertFitsInNats(response('text', '"'.repeat(600_000)), 1_048_576);
    } catch (e) {
      error = e as DomainError;
    }
    expect(error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error?.message).toMatch(/does not fit in a NATS message \(max_payload 1048576 bytes\)/);
  });
});

describe(bodyLimitFor.name, () => {
  it('is the largest binary body whose reply still fits in max_payload', () => {
    for (const maxPayload of [1_048_576, 8_388_608]) {
      const limit = bodyLimitFor(maxPayload);
      const reply = (n: number) => ({
        ...response('base64', Buffer.alloc(n, 0xa5).toString('base64')),
        headers: [['Content-Type', 'application/octet-stream']] as [string, string][],
      });
      expect(() => assertFitsInNats(reply(limit), maxPayload)).not.toThrow();
      // A quarter more would not fit: the limit is close to what NATS can carry, not far below it.
      expect(() => assertFitsInNats(reply(Math.ceil(limit * 1.25)), maxPayload)).toThrow();
    }
    // The default NATS (1 MB) cannot carry a 1 MB binary body; the shipped one (8 MB) can.
    expect(bodyLimitFor(1_048_576)).toBeLessThan(1_000_000);
    expect(bodyLimitFor(8_388_608)).toBeGreaterThan(6_000_000);
  });
});
