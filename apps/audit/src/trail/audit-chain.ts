import type { Audit } from '@switchboard/contracts';
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the same record always hashes the same. */
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

/** The fields a row's hash covers: everything the producer said, nothing the store added. */
export function hashedFields(r: Audit.AuditRecord): Record<string, unknown> {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    category: r.category,
    action: r.action,
    outcome: r.outcome,
    source: r.source,
    userId: r.actor.userId ?? null,
    role: r.actor.role ?? null,
    resource: r.resource ?? null,
    taskId: r.taskId ?? null,
    traceId: r.traceId ?? null,
    correlationId: r.correlationId ?? null,
    details: r.details,
  };
}

/** Each row's hash chains its predecessor's: editing, inserting or deleting a row breaks the chain. */
export function chainHash(prevHash: string, record: Audit.AuditRecord): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson(hashedFields(record)))
    .digest('hex');
}
