// SCRAM client (RFC 5802, RFC 7677, and SHA-512 by the same construction) with channel binding
// (RFC 5929 tls-unique, RFC 9266 tls-exporter). Key derivation uses Node's native PBKDF2 on the
// thread pool: @xmpp/sasl-scram-sha-1 derives through 10,000 WebCrypto HMAC calls (1–3 s a login).
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { saslprep } from './saslprep.js';

const pbkdf2Async = promisify(pbkdf2);

export type ScramHash = 'sha1' | 'sha256' | 'sha512';

const HASH_BYTES: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Channel binding as SCRAM carries it: `p=<type>` with the binding data, or the `n`/`y` flags. */
export type ChannelBinding =
  | { flag: 'n' }
  | { flag: 'y' }
  | { flag: 'p'; type: 'tls-unique' | 'tls-exporter' | 'tls-server-end-point'; data: Buffer };

/** Why a SCRAM exchange failed on our side (the server's own failures arrive as SASL conditions). */
export class ScramError extends Error {
  constructor(
    readonly kind: 'server-signature-mismatch' | 'invalid-server-message' | 'server-error',
    message: string,
  ) {
    super(message);
    this.name = 'ScramError';
  }
}

/** SaltedPassword per (hash, salt, iterations): a reconnect does not derive again. */
export class ScramKeyCache {
  private readonly keys = new Map<string, Buffer>();

  async salted(
    hash: ScramHash,
    password: string,
    salt: Buffer,
    iterations: number,
  ): Promise<Buffer> {
    const key = `${hash}:${iterations}:${salt.toString('base64')}`;
    const hit = this.keys.get(key);
    if (hit) return hit;
    const derived = await pbkdf2Async(saslprep(password), salt, iterations, HASH_BYTES[hash], hash);
    if (this.keys.size > 16) this.keys.clear();
    this.keys.set(key, derived);
    return derived;
  }
}

/** `=` and `,` escaped as RFC 5802 requires in `n=` and `a=`. */
export function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1)
      throw new ScramError(
        'invalid-server-message',
        `malformed SCRAM attribute "${part.slice(0, 20)}"`,
      );
    attrs.set(part.slice(0, 1), part.slice(2));
  }
  return attrs;
}

/**
 * One SCRAM exchange: `clientFirst()`, then `clientFinal(serverFirst)`, then
 * `verifyServerFinal(serverFinal)`. The server's signature is always checked: a server that cannot
 * prove it knows the password is treated as an impostor.
 */
export class ScramClient {
  private readonly nonce: string;
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | undefined;

  constructor(
    private readonly options: {
      hash: ScramHash;
      username: string;
      password: string;
      binding: ChannelBinding;
      keys: ScramKeyCache;
      /** Fixed client nonce, for the RFC test vectors only. */
      nonce?: string;
    },
  ) {
    this.nonce = options.nonce ?? randomBytes(18).toString('base64');
  }

  private gs2Header(): string {
    const { binding } = this.options;
    return binding.flag === 'p' ? `p=${binding.type},,` : `${binding.flag},,`;
  }

  clientFirst(): string {
    this.clientFirstBare = `n=${saslName(this.options.username)},r=${this.nonce}`;
    return this.gs2Header() + this.clientFirstBare;
  }

  async clientFinal(serverFirst: string): Promise<string> {
    const attrs = parseAttributes(serverFirst);
    if (attrs.has('m'))
      throw new ScramError(
        'invalid-server-message',
        'the server requires an unsupported SCRAM extension',
      );
    const error = attrs.get('e');
    if (error) throw new ScramError('server-error', `the server refused: ${error}`);
    const nonce = attrs.get('r');
    const saltText = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !nonce.startsWith(this.nonce) || nonce.length === this.nonce.length) {
      throw new ScramError('invalid-server-message', 'the server nonce does not extend ours');
    }
    if (!saltText) throw new ScramError('invalid-server-message', 'the server sent no salt');
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) {
      throw new ScramError(
        'invalid-server-message',
        `unacceptable iteration count ${attrs.get('i')}`,
      );
    }
    const { hash, binding, keys, password } = this.options;
    const salted = await keys.salted(hash, password, Buffer.from(saltText, 'base64'), iterations);
    const cbind = Buffer.concat([
      Buffer.from(this.gs2Header()),
      binding.flag === 'p' ? binding.data : Buffer.alloc(0),
    ]);
    const withoutProof = `c=${cbind.toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(hash, salted, 'Client Key');
    const storedKey = createHash(hash).update(clientKey).digest();
    const signature = hmac(hash, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0);
    this.expectedServerSignature = hmac(hash, hmac(hash, salted, 'Server Key'), authMessage);
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  verifyServerFinal(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    const error = attrs.get('e');
    if (error) throw new ScramError('server-error', `the server refused: ${error}`);
    const v = attrs.get('v');
    if (!v || !this.expectedServerSignature) {
      throw new ScramError('invalid-server-message', 'the server sent no signature');
    }
    const got = Buffer.from(v, 'base64');
    if (
      got.length !== this.expectedServerSignature.length ||
      !timingSafeEqual(got, this.expectedServerSignature)
    ) {
      throw new ScramError(
        'server-signature-mismatch',
        'the server signature is wrong: it does not know the password',
      );
    }
  }
}

function hmac(hash: ScramHash, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data).digest();
}
