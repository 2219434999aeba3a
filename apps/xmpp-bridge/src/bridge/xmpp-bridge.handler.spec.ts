import { describe, expect, it } from '@jest/globals';
import type { DomainError, Xmpp } from '@switchboard/contracts';
import { assertFitsInNats } from './xmpp-bridge.handler.js';

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
