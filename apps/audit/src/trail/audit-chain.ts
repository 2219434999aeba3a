import type { Audit } from '@switchboard/contracts';
import { canonicalJson } from '@switchboard/runtime';
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

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
