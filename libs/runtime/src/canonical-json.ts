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
