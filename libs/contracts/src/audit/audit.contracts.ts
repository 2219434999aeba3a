import { z } from 'zod';
import { type CommandContract, defineCommand, defineEvent, type EventContract } from '../define.js';
import { AuditStream } from '../streams.js';
import {
  AuditQueryRequest,
  AuditQueryResponse,
  AuditRecord,
  AuditVerifyResponse,
} from './audit.schemas.js';

export const AuditRecorded = defineEvent({
  template: 'sb.audit.{category}',
  tokens: ['category'],
  payload: AuditRecord,
  delivery: 'at-least-once',
  stream: AuditStream,
  producers: ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'xmpp-bridge'],
  consumers: ['audit'],
  description:
    'An audit record, published with Nats-Msg-Id = record id. The audit service acks only after the row is committed; a redelivery never duplicates a row.',
});

export const AuditQuery = defineCommand({
  subject: 'sb.cmd.audit.query',
  service: 'audit',
  callers: ['gateway'],
  request: AuditQueryRequest,
  response: AuditQueryResponse,
  timeoutMs: 10_000,
  description: 'Filtered, paged audit rows (newest first). Admin only (from headers).',
});

export const AuditVerify = defineCommand({
  subject: 'sb.cmd.audit.verify',
  service: 'audit',
  callers: ['gateway'],
  request: z.object({}).strict(),
  response: AuditVerifyResponse,
  timeoutMs: 120_000,
  description:
    'Recomputes the hash chain and reports the first row that does not match. Admin only.',
});

/** Every audit contract, for the catalogue. */
export const AUDIT_CONTRACTS: {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
} = {
  commands: [AuditQuery, AuditVerify],
  events: [AuditRecorded],
};
