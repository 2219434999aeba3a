import { Inject, Injectable } from '@nestjs/common';
import { Audit, isDomainError, scrubJson, tenantOf } from '@switchboard/contracts';
import {
  currentTraceId,
  LOGGER,
  type Logger,
  redactSecrets,
  requestContext,
} from '@switchboard/observability';
import { createHash, randomUUID } from 'node:crypto';
import { JetStreamService } from './jetstream.service.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options.js';
import { type BackoffSettings, retryWithBackoff } from './retry.policy.js';

/** Waits between attempts to store a record: from ~100 ms, doubling, capped at 5 s. */
const AUDIT_PUBLISH_BACKOFF: BackoffSettings = { initialDelayMs: 100, maxDelayMs: 5_000 };
/** How long a record keeps being offered to the stream (a NATS outage or restart is shorter). */
const AUDIT_PUBLISH_PATIENCE_MS = 60_000;

export type AuditEvent = Omit<Audit.AuditRecordInput, 'id' | 'at' | 'source' | 'actor'> & {
  actor?: Audit.AuditRecordInput['actor'];
  /**
   * Names the action itself (e.g. a tool call's idempotency key): the same action reported again —
   * a retried call answered from the idempotency store — gets the same record id, so the trail stores
   * it once. Without it every record is new.
   */
  onceKey?: string;
};

/** A stable UUID (version 8, RFC 9562) for a key: the same key always gives the same record id. */
export function recordIdFor(key: string): string {
  const h = createHash('sha256').update(`switchboard-audit:${key}`).digest('hex');
  const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Produces audit records: fills id, time, source, actor, trace and correlation ids from the current
 * context, redacts details, and publishes to the durable audit stream (Nats-Msg-Id = record id).
 * `record` never throws into business code: failed publishes are retried with capped backoff for up to
 * a minute (a NATS outage or restart), and an undeliverable record is logged (without its details)
 * rather than silently dropped. Text the audit database cannot store (NUL, unpaired surrogates) is
 * replaced, so a record is never refused for it.
 */
@Injectable()
export class AuditTrail {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly jetstream: JetStreamService,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Builds and publishes a record; resolves when stored (callers may ignore the promise). */
  record(event: AuditEvent): Promise<void> {
    const record = this.build(event);
    const p = this.publishWithRetry(record).finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  /**
   * The record `event` makes, filled from the current context as `record` fills it, without sending
   * it: for a service that journals it with its own commit and relays it after (AuditAppend).
   */
  build(event: AuditEvent): Audit.AuditRecordInput {
    const ctx = requestContext.get();
    const traceId = currentTraceId();
    const { onceKey, ...fields } = event;
    const record: Audit.AuditRecordInput = scrubJson({
      ...fields,
      id: onceKey ? recordIdFor(onceKey) : randomUUID(),
      at: new Date().toISOString(),
      source: this.options.service,
      actor: event.actor ?? (ctx?.actor ? { userId: ctx.actor.userId, role: ctx.actor.role } : {}),
      // a record names its tenant even when it names no user (a system record of a tenant's task)
      tenantId: event.tenantId ?? tenantOf(ctx?.actor),
      details: redactSecrets(event.details ?? {}),
      ...(traceId && !event.traceId ? { traceId } : {}),
      ...(ctx?.correlationId && !event.correlationId ? { correlationId: ctx.correlationId } : {}),
    });
    return record;
  }

  private async publishWithRetry(record: Audit.AuditRecordInput): Promise<void> {
    const started = Date.now();
    try {
      await retryWithBackoff(
        () =>
          // on sb.audit.<category>.<taskId or _>; the record id stays the de-duplication key
          this.jetstream.publish(Audit.AuditRecorded, Audit.auditSubjectTokens(record), record, {
            msgId: record.id as string,
          }),
        {
          backoff: AUDIT_PUBLISH_BACKOFF,
          // A record the contract refuses is refused again: retrying only delays the log line.
          retryIf: (e) => !(isDomainError(e) && e.code === 'VALIDATION'),
          until: () => started + AUDIT_PUBLISH_PATIENCE_MS,
        },
      );
    } catch (e) {
      this.logger.error(
        { err: e, auditId: record.id, action: record.action, category: record.category },
        'audit record could not be stored',
      );
    }
  }

  /** Waits for records still in flight so a clean shutdown loses none. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
