import { describe, expect, it } from '@jest/globals';
import { nkeyAuthenticator, nkeys } from '@nats-io/nats-core';
import { nkeyAuthenticatorNative } from './nkey.authenticator.js';

describe(nkeyAuthenticatorNative.name, () => {
  it("answers a nonce exactly as the library's nkeyAuthenticator does, for any seed", () => {
    for (let i = 0; i < 5; i++) {
      const pair = nkeys.createUser();
      const seed = new TextDecoder().decode(pair.getSeed());
      const nonce = `nonce-${i}-${Math.random()}`;
      const native = nkeyAuthenticatorNative(() => seed)(nonce);
      expect(native).toEqual(nkeyAuthenticator(() => pair.getSeed())(nonce));
      // and the server's check holds: the public key verifies the signature of the nonce
      const sig = nkeys.decode((native as { sig: string }).sig);
      expect(pair.verify(new TextEncoder().encode(nonce), sig)).toBe(true);
    }
  });

  it('reads the seed at every connect (a rotated seed file signs with the new seed)', () => {
    const first = nkeys.createUser();
    const second = nkeys.createUser();
    let current = first;
    const auth = nkeyAuthenticatorNative(() => new TextDecoder().decode(current.getSeed()));
    expect(auth('n1')).toMatchObject({ nkey: first.getPublicKey() });
    current = second;
    expect(auth('n2')).toMatchObject({ nkey: second.getPublicKey() });
  });
});
