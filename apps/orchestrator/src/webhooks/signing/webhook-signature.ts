import { createHmac, randomBytes } from 'node:crypto';

/** The prefix of a Standard Webhooks secret: `whsec_` then the key in base64. */
const SECRET_PREFIX = 'whsec_';
/** Bytes of a new signing key (Standard Webhooks asks for 24 to 64). */
const KEY_BYTES = 32;

/** A new signing secret, `whsec_<base64 of 32 random bytes>`. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** The key a secret stands for (its base64 part decoded). */
function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** The headers of one attempt (https://www.standardwebhooks.com/, "Signature scheme"). */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one attempt the Standard Webhooks way: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
 * with each secret, space-separated (the current secret first; during a rotation's grace the one it
 * replaced too, so a receiver still holding the old one verifies). `timestamp` is in seconds.
 */
export function signWebhook(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  const content = `${messageId}.${timestampSeconds}.${body}`;
  const signatures = secrets.map(
    (s) => `v1,${createHmac('sha256', keyOf(s)).update(content, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}

/** The `webhook-id` of a delivery: the same on every attempt and redelivery of it. */
export function messageIdOf(deliveryId: string): string {
  return `msg_${deliveryId.replaceAll('-', '')}`;
}
