import type { Audit } from '@switchboard/contracts';
import { canonicalJson } from '@switchboard/runtime';
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The hash format of every row stored from now on (see AuditHashVersion). */
export const HASH_VERSION: Audit.AuditHashVersion = 2;

/** A row's place in its tenant's chain. */
export interface TenantLink {
  tenantId: string;
  tenantSeq: number;
  tenantPrevHash: string;
}

/** What verifying a row needs: the record it stores and its place in both chains. */
export interface ChainRow extends TenantLink {
  seq: number;
  prevHash: string;
  hash: string;
  hashVersion: number;
  record: Audit.AuditRecord;
}

/**
 * The fields a row's hash covers: everything the producer said, nothing the store added — and, from
 * hash version 2 on, the row's place in its tenant's chain. Version 1 (rows stored before tenants) is
 * the record alone: those rows keep verifying exactly as they were hashed.
 */
export function hashedFields(r: Audit.AuditRecord, link?: TenantLink): Record<string, unknown> {
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
    ...(link
      ? {
          tenantId: link.tenantId,
          tenantSeq: link.tenantSeq,
          tenantPrevHash: link.tenantPrevHash,
        }
      : {}),
  };
}

/**
 * Each row's hash chains its predecessor's in the trail (and, with `link`, names its predecessor in its
 * tenant's chain): editing, inserting or deleting a row breaks both chains.
 */
export function chainHash(prevHash: string, record: Audit.AuditRecord, link?: TenantLink): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson(hashedFields(record, link)))
    .digest('hex');
}
