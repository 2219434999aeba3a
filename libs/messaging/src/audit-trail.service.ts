import { Inject, Injectable } from '@nestjs/common';
import { Audit, isDomainError, scrubJson } from '@switchboard/contracts';
import {
  currentTraceId,
  LOGGER,
  type Logger,
  redactSecrets,
  requestContext,
} from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import { JetStreamService } from './jetstream.service.js';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options.js';

export type AuditEvent = Omit<Audit.AuditRecordInput, 'id' | 'at' | 'source' | 'actor'> & {
  actor?: Audit.AuditRecordInput['actor'];
};

/**
 * Produces audit records: fills id, time, source, actor, trace and correlation ids from the current
 * context, redacts details, and publishes to the durable audit stream (Nats-Msg-Id = record id).
 * `record` never throws into business code: failed publishes are retried with backoff, and an
 * undeliverable record is logged (without its details) rather than silently dropped. Text the audit
 * database cannot store (NUL, unpaired surrogates) is replaced, so a record is never refused for it.
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
    const ctx = requestContext.get();
    const traceId = currentTraceId();
    const record: Audit.AuditRecordInput = scrubJson({
      ...event,
      id: randomUUID(),
      at: new Date().toISOString(),
      source: this.options.service,
      actor: event.actor ?? (ctx?.actor ? { userId: ctx.actor.userId, role: ctx.actor.role } : {}),
      details: redactSecrets(event.details ?? {}),
      ...(traceId && !event.traceId ? { traceId } : {}),
      ...(ctx?.correlationId && !event.correlationId ? { correlationId: ctx.correlationId } : {}),
    });
    const p = this.publishWithRetry(record).finally(() => this.pending.delete(p));
    this.pending.add(p);
    return p;
  }

  private async publishWithRetry(record: Audit.AuditRecordInput): Promise<void> {
    const delays = [100, 500, 2_000, 5_000, 10_000];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.jetstream.publish(Audit.AuditRecorded, [record.category], record, {
          msgId: record.id as string,
        });
        return;
      } catch (e) {
        // A record the contract refuses is refused again: retrying only delays the log line.
        const invalid = isDomainError(e) && e.code === 'VALIDATION';
        if (invalid || attempt >= delays.length) {
          this.logger.error(
            { err: e, auditId: record.id, action: record.action, category: record.category },
            'audit record could not be stored',
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    }
  }

  /** Waits for records still in flight so a clean shutdown loses none. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
