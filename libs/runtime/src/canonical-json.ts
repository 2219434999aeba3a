import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so the same value always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What an approval approves: sha256 (hex) of the canonical JSON of `{target, input}`. The orchestrator
 * stores it with the decision; mcp-tools and a2a compute it from the call they are asked to run, so a
 * call whose tool or arguments differ from what a person approved is refused.
 */
export function approvalArgsHash(target: string, input: unknown): string {
  return createHash('sha256').update(canonicalJson({ target, input })).digest('hex');
}

/**
 * A tool definition's fingerprint as a caller is offered it (a manifest tool): a short hash of its
 * name, texts, schemas, access and approval policy, the same on every replica. Whether it is deferred
 * is how it is offered, not what it is, and is left out: a tool found by a search has the fingerprint
 * it has in the manifest.
 */
export function toolFingerprint(tool: object): string {
  const { deferred: _offered, ...definition } = tool as { deferred?: unknown };
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 12);
}
