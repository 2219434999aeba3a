import { type Authenticator, nkeys } from '@nats-io/nats-core';
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';

/** ed25519's PKCS#8 DER header: followed by a raw 32-byte seed, it is a key node:crypto reads. */
const ED25519_PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');

interface NKeySigner {
  /** The seed's public key (`U…`), what the server checks the signature against. */
  nkey: string;
  key: KeyObject;
}

/** By seed: a process signs with few seeds, and a rotated file brings a new one. */
const signers = new Map<string, NKeySigner>();

function signerOf(seed: string): NKeySigner {
  let signer = signers.get(seed);
  if (!signer) {
    const pair = nkeys.fromSeed(new TextEncoder().encode(seed));
    signer = {
      nkey: pair.getPublicKey(),
      key: createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_HEADER, rawSeedOf(seed)]),
        format: 'der',
        type: 'pkcs8',
      }),
    };
    signers.set(seed, signer);
  }
  return signer;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The 32 bytes of an NKey seed (`SU…`, checked by nkeys.fromSeed first): its base32 holds two
 * prefix bytes, the raw seed and a CRC-16.
 */
function rawSeedOf(seed: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of seed) {
    value = (value << 5) | BASE32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes.slice(2, 34));
}

/**
 * What `nkeyAuthenticator` answers a server's nonce with — the seed's public key and its ed25519
 * signature of the nonce, byte for byte the same (ed25519 signs deterministically) — signed by
 * node:crypto. The library derives the key pair twice per connect in JavaScript (tweetnacl): up to half a
 * second of CPU at a service's start, again at every reconnect. `seed()` is read at each connect, so
 * a rotated seed file needs no restart.
 */
export function nkeyAuthenticatorNative(seed: () => string): Authenticator {
  return (nonce?: string) => {
    const { nkey, key } = signerOf(seed());
    const sig = nonce ? nkeys.encode(sign(null, new TextEncoder().encode(nonce), key)) : '';
    return { nkey, sig };
  };
}
