// Verifies a Switchboard webhook delivery (Standard Webhooks) with Node's own crypto, no package.
// Usage: WEBHOOK_SECRET=whsec_... node verify.mjs <webhook-id> <webhook-timestamp> <webhook-signature> < body
// Prints "verified <type> <taskId>" and exits 0, or says why not and exits 1. In a server, pass the
// three headers and the raw request body (the exact bytes received, before any JSON parsing).
import { createHmac, timingSafeEqual } from 'node:crypto';

const TOLERANCE_SECONDS = 5 * 60; // refuse deliveries older (or newer) than this: replays

export function verify(secret, id, timestamp, signatureHeader, body) {
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS)
    throw new Error('timestamp too far from now');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  // The header may hold several signatures ("v1,<sig> v1,<sig>") while a secret is being rotated.
  const ok = signatureHeader.split(' ').some((candidate) => {
    const [version, sig = ''] = candidate.split(',');
    const given = Buffer.from(sig, 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error('no signature matches');
  return JSON.parse(body.toString('utf8'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [id, timestamp, signature] = process.argv.slice(2);
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  try {
    const payload = verify(
      process.env.WEBHOOK_SECRET ?? '',
      id,
      timestamp,
      signature,
      Buffer.concat(chunks),
    );
    console.log(`verified ${payload.type} ${payload.data.taskId}`);
  } catch (e) {
    console.log(`refused: ${e.message}`);
    process.exit(1);
  }
}
