import type { ScramHash } from './scram.js';

export type BindingType = 'tls-unique' | 'tls-exporter';

/** One mechanism we are ready to try, strongest first. */
export interface Candidate {
  name: string;
  kind: 'scram' | 'plain';
  hash?: ScramHash;
  binding?: { flag: 'n' | 'y' } | { flag: 'p'; type: BindingType };
}

const SCRAM: { name: string; hash: ScramHash }[] = [
  { name: 'SCRAM-SHA-512', hash: 'sha512' },
  { name: 'SCRAM-SHA-256', hash: 'sha256' },
  { name: 'SCRAM-SHA-1', hash: 'sha1' },
];

export interface SelectionInput {
  offered: readonly string[];
  /** TLS is on (direct or STARTTLS). */
  secure: boolean;
  /** TLS version of the session (e.g. `TLSv1.3`), when secure. */
  tlsVersion?: string;
  /** Channel-binding types the server advertised (XEP-0440), when it did. */
  serverBindings?: readonly string[];
}

/** The binding types we can compute for this TLS session, best first. */
export function usableBindings(input: SelectionInput): BindingType[] {
  if (!input.secure) return [];
  // tls-unique is undefined for TLS 1.3 (RFC 9266); tls-exporter needs TLS 1.3 or extended master secret.
  const ours: BindingType[] =
    input.tlsVersion === 'TLSv1.3' ? ['tls-exporter'] : ['tls-exporter', 'tls-unique'];
  const advertised = input.serverBindings;
  if (advertised) return ours.filter((t) => advertised.includes(t));
  // No XEP-0440 advertisement: the type that matches the TLS version (Prosody 0.12: tls-unique on 1.2).
  return input.tlsVersion === 'TLSv1.3' ? ['tls-exporter'] : ['tls-unique'];
}

/**
 * Orders what the server offers by strength: SCRAM-SHA-512, -256, -1, each -PLUS first when the
 * channel can be bound, then PLAIN — only over TLS. Returns the candidates and what was left out, why.
 */
export function orderMechanisms(input: SelectionInput): {
  candidates: Candidate[];
  skipped: { name: string; why: string }[];
} {
  const offered = new Set(input.offered.map((m) => m.toUpperCase()));
  const bindings = usableBindings(input);
  const anyPlusOffered = [...offered].some((m) => m.endsWith('-PLUS'));
  const candidates: Candidate[] = [];
  const skipped: { name: string; why: string }[] = [];
  for (const { name, hash } of SCRAM) {
    const plus = `${name}-PLUS`;
    if (offered.has(plus)) {
      const type = bindings[0];
      if (type) candidates.push({ name: plus, kind: 'scram', hash, binding: { flag: 'p', type } });
      else
        skipped.push({
          name: plus,
          why: input.secure
            ? 'no channel-binding type in common for this TLS version'
            : 'needs TLS',
        });
    }
    if (offered.has(name)) {
      // `y` tells a server that offered no -PLUS that we could have bound (downgrade detection).
      const flag = input.secure && bindings.length > 0 && !anyPlusOffered ? 'y' : 'n';
      candidates.push({ name, kind: 'scram', hash, binding: { flag } });
    }
  }
  if (offered.has('PLAIN')) {
    if (input.secure) candidates.push({ name: 'PLAIN', kind: 'plain' });
    else skipped.push({ name: 'PLAIN', why: 'never without TLS' });
  }
  return { candidates, skipped };
}

/** SASL failure conditions that are about the credentials: trying another mechanism cannot help. */
const FINAL_CONDITIONS = new Set([
  'not-authorized',
  'account-disabled',
  'credentials-expired',
  'invalid-authzid',
]);

/**
 * Whether to try the next mechanism after a failure. Wrong credentials stop at once (a second
 * mechanism would only repeat them, and PLAIN after SCRAM would hand the password to the server); so
 * does a wrong server signature (the server is not who it claims). Anything else — a failed channel
 * binding, an unsupported or too weak mechanism, a malformed exchange — moves on.
 */
export function shouldTryNext(failure: { condition?: string; scramKind?: string }): boolean {
  if (failure.scramKind === 'server-signature-mismatch') return false;
  if (failure.condition && FINAL_CONDITIONS.has(failure.condition)) return false;
  return true;
}
