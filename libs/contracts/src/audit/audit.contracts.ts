import { commandGroup } from '../command-group.js';
import { defineEvent, type DomainContracts, isSafeToken, NO_TOKEN } from '../define.js';
import { DEFAULT_TENANT, TenantId } from '../identity.schemas.js';
import { AuditChainedStream, AuditStream } from '../streams.js';
import {
  AuditAppendRequest,
  AuditAppendResponse,
  type AuditCategory,
  AuditQueryRequest,
  AuditQueryResponse,
  AuditRecord,
  AuditVerifyRequest,
  AuditVerifyResponse,
} from './audit.schemas.js';

export const AuditRecorded = defineEvent({
  // The tenant last: a tenant's records are `sb.audit.*.*.<tenant>` (what a tenant operator's NATS
  // identity may read).
  template: 'sb.audit.{category}.{taskId}.{tenantId}',
  tokens: ['category', 'taskId', 'tenantId'],
  payload: AuditRecord,
  delivery: 'at-least-once',
  stream: AuditStream,
  producers: ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'xmpp-bridge'],
  consumers: ['audit'],
  description:
    "An audit record, published with Nats-Msg-Id = record id, on its category, its task's id (`_` when it belongs to no task) and its tenant (`default` with tenancy off): auditSubjectTokens. The audit service acks only after the row is committed; a redelivery never duplicates a row.",
});

export const AuditChained = defineEvent({
  template: 'sb.evt.audit.{category}.{taskId}.{tenantId}',
  tokens: ['category', 'taskId', 'tenantId'],
  payload: AuditRecord,
  delivery: 'at-most-once',
  stream: AuditChainedStream,
  producers: ['audit'],
  consumers: [],
  description:
    "A record relayed to the audit service by a command (AuditAppend), published on core NATS once it is chained, for whoever watches (switchboard tail, a tenant's operator, the Live view); SB_AUDIT_CHAINED keeps it for a task's late tail. Same tokens as AuditRecorded: `sb.evt.audit.*.<taskId>.*` is one task's, `sb.evt.audit.*.*.<tenant>` one tenant's. Nothing consumes it durably: the record is in the trail already.",
});

/**
 * The audit commands, sb.cmd.audit.<action>: the trail's queries are sent by the gateway for its
 * admins and by `admin`, the platform's administrators (`switchboard call`, `switchboard audit verify`).
 */
const audit = commandGroup('sb.cmd.audit', { callers: ['gateway', 'admin'] });

export const AuditAppend = audit.command('append', {
  // the orchestrator relays the records its task transitions journaled (JournalOutbox)
  callers: ['orchestrator'],
  request: AuditAppendRequest,
  response: AuditAppendResponse,
  timeoutMs: 10_000,
  idempotency: 'idempotent',
  description:
    'Chains a batch of records a service committed in its own database, exactly once by record id: a batch sent again (a relay that died before marking it, a sweep of another replica) appends nothing twice. Answers how many were new; each new one is then published on sb.evt.audit.{category}.{taskId}.{tenantId}.',
});

/** The subscription filter for every audit record of one task (`sb.audit.*.<taskId>.*`). */
export function auditRecordsFilter(taskId: string): string {
  if (!isSafeToken(taskId) || taskId === NO_TOKEN)
    throw new Error(`"${taskId}" cannot name a task in a subject`);
  return `sb.audit.*.${taskId}.*`;
}

/** Every relayed record of one task, once chained (`sb.evt.audit.*.<taskId>.*`). */
export function chainedRecordsFilter(taskId: string): string {
  if (!isSafeToken(taskId) || taskId === NO_TOKEN)
    throw new Error(`"${taskId}" cannot name a task in a subject`);
  return `sb.evt.audit.*.${taskId}.*`;
}

/** Every relayed record of one tenant, once chained: what a tenant operator may also read. */
export function tenantChainedAuditFilter(tenantId: string): string {
  if (!TenantId.safeParse(tenantId).success) throw new Error(`"${tenantId}" is not a tenant id`);
  return `sb.evt.audit.*.*.${tenantId}`;
}

/** Every audit record of one tenant: what a tenant operator's NATS identity may subscribe to. */
export function tenantAuditFilter(tenantId: string): string {
  if (!TenantId.safeParse(tenantId).success) throw new Error(`"${tenantId}" is not a tenant id`);
  return `sb.audit.*.*.${tenantId}`;
}

/** The subject tokens of a record: its category, its task (NO_TOKEN when it has none), its tenant. */
export function auditSubjectTokens(record: {
  category: AuditCategory;
  taskId?: string | undefined;
  tenantId?: string | undefined;
}): [string, string, string] {
  return [record.category, record.taskId || NO_TOKEN, record.tenantId || DEFAULT_TENANT];
}

export const AuditQuery = audit.query('query', {
  request: AuditQueryRequest,
  response: AuditQueryResponse,
  timeoutMs: 10_000,
  description:
    "Filtered, paged audit rows (newest first). Admins only (from headers): a tenant's admin gets its own tenant's rows; the platform operator every tenant's, or one tenant's with `tenantId`.",
});

export const AuditVerify = audit.query('verify', {
  request: AuditVerifyRequest,
  response: AuditVerifyResponse,
  timeoutMs: 120_000,
  description:
    "Recomputes the hash chain and reports the first row that does not match. Admins only (from headers): a tenant's admin verifies its own tenant's chain (scope `tenant`); the platform operator the whole trail with every tenant's chain (scope `all`), or one tenant's with `tenantId`.",
});

/** Every audit contract, for the catalogue. */
export const AUDIT_CONTRACTS: DomainContracts = {
  commands: [AuditQuery, AuditVerify, AuditAppend],
  events: [AuditRecorded, AuditChained],
};
