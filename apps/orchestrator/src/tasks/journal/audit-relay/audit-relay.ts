import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Audit } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import {
  detached,
  LOGGER,
  type Logger,
  type OwedTo,
  withSpansOwedTo,
} from '@switchboard/observability';
import type { AuditRelaySettings } from '../../../config/audit-relay.settings.js';
import { AuditOutboxRepository } from './audit-outbox.repository.js';

/** The records one commit stored, and their JournalOutbox rows. */
interface Owed extends Relayed {
  ids: readonly string[];
}

/** Records of one task to relay, with where they were owed (a traceparent: the task's trace). */
export interface Relayed {
  records: readonly Audit.AuditRecordInput[];
  traceparent?: string | undefined;
}

/**
 * Relays the audit records task transitions committed (JournalOutbox) to the audit service: what the
 * commits of AUDIT_RELAY_LINGER_MS stored goes in one sb.cmd.audit.append (up to AUDIT_RELAY_BATCH
 * records; a task's records before its end wait up to AUDIT_RELAY_HOLD_MS for it), and the rows it
 * carried are marked relayed together every AUDIT_RELAY_MARK_LINGER_MS.
 * Nothing here is needed for correctness: a batch that fails, or a replica that dies first, leaves its
 * rows to the sweep (AuditRelaySweep) of any replica, and the audit service chains a record once
 * however often it is sent. Each task's records continue the trace they were owed in (stored with
 * them): a batch of one task's records is part of its trace, one of several tasks' gives each task a
 * span of its own and names each task's trace to the audit service (withSpansOwedTo).
 */
@Injectable()
export class AuditRelay implements OnModuleDestroy {
  private queue: Owed[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer sends (Date.now() ms). */
  private due = 0;
  private relayed: string[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly bus: NatsBus,
    private readonly outbox: AuditOutboxRepository,
    @Inject(APP_CONFIG) private readonly config: AuditRelaySettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * A statement committed `records`, stored as the JournalOutbox rows `ids`. Those of a task that has
   * not ended (its submission's, its tool calls') may wait AUDIT_RELAY_HOLD_MS for its end's, so that
   * a short task's records travel in one request; whatever commits first sends what is queued.
   */
  committed(
    ids: readonly string[],
    records: readonly Audit.AuditRecordInput[],
    ending = true,
    traceparent?: string,
  ): void {
    if (!ids.length || !records.length) return;
    this.queue.push({ ids, records, traceparent });
    this.queued += records.length;
    const { AUDIT_RELAY_LINGER_MS: linger, AUDIT_RELAY_HOLD_MS: hold } = this.config;
    if (this.queued >= this.config.AUDIT_RELAY_BATCH || linger === 0) this.flushSoon(0);
    else this.flushSoon(ending ? linger : Math.max(linger, hold));
  }

  /**
   * A task resumed here (its submission delivered again: its replica died, or it waited for
   * approvals): the records its earlier run committed and did not relay — a dead replica's, held for
   * the task's end — are relayed as this replica's own, with the end's, rather than after
   * AUDIT_RELAY_SWEEP_AFTER_MS by a sweep. A replica still alive may send them too: the audit service
   * chains each record once. A failure leaves them to the sweep.
   */
  async adopt(taskId: string): Promise<void> {
    try {
      const mine = new Set([...this.queue.flatMap((o) => o.ids), ...this.relayed]);
      const owed = (await this.outbox.owedOf(taskId)).filter((r) => !mine.has(r.id));
      if (!owed.length) return;
      this.committed(
        owed.map((r) => r.id),
        owed.map((r) => r.payload),
        false,
        owed.findLast((r) => r.traceparent)?.traceparent ?? undefined,
      );
    } catch (e) {
      this.logger.warn(
        { err: e, taskId },
        "a resumed task's owed audit records could not be read; the sweep sends them",
      );
    }
  }

  /**
   * Sends the records (in requests of up to AUDIT_RELAY_BATCH) and waits for the audit service's
   * answer (used by the sweep too), each request in the traces of the tasks whose records it carries.
   */
  async send(batch: readonly Relayed[]): Promise<void> {
    const size = this.config.AUDIT_RELAY_BATCH;
    const items = batch.flatMap((b) => b.records.map((record) => ({ record, tp: b.traceparent })));
    for (let at = 0; at < items.length; at += size) {
      const chunk = items.slice(at, at + size);
      await withSpansOwedTo('audit relay', owedTo(chunk), (traces) =>
        this.bus.request(Audit.AuditAppend, {
          records: chunk.map((c) => c.record),
          ...(Object.keys(traces).length ? { traces } : {}),
        }),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // What is still queued is in JournalOutbox: the sweep of the next replica relays it.
    await Promise.allSettled([...this.inflight]);
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    await this.mark();
  }

  /** Sends what is queued within `delayMs` (an earlier send already due stays). */
  private flushSoon(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.timer && this.due <= at) return;
    clearTimeout(this.timer);
    this.due = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const p = detached(() => this.flush()).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, delayMs);
    this.timer.unref();
  }

  /** Sends what is queued, one batch of whole commits at a time. */
  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch: Owed[] = [];
      let size = 0;
      while (this.queue.length && (size === 0 || size < this.config.AUDIT_RELAY_BATCH)) {
        const next = this.queue.shift() as Owed;
        batch.push(next);
        size += next.records.length;
      }
      this.queued -= size;
      try {
        await this.send(batch);
        this.relayed.push(...batch.flatMap((o) => o.ids));
        this.markSoon();
      } catch (e) {
        this.logger.warn(
          { err: e, records: size },
          'audit records could not be relayed yet; the sweep sends them again',
        );
      }
    }
  }

  private markSoon(): void {
    if (this.markTimer) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      void this.mark();
    }, this.config.AUDIT_RELAY_MARK_LINGER_MS);
    this.markTimer.unref();
  }

  private async mark(): Promise<void> {
    const ids = this.relayed;
    this.relayed = [];
    if (!ids.length) return;
    try {
      await this.outbox.markRelayed(ids);
    } catch (e) {
      // Unmarked rows are sent again by a sweep; the audit service appends nothing twice.
      this.logger.warn({ err: e, rows: ids.length }, 'relayed audit records could not be marked');
    }
  }
}

/** The tasks a chunk carries records of, each with the last trace its records were owed in. */
function owedTo(
  chunk: readonly { record: Audit.AuditRecordInput; tp: string | undefined }[],
): OwedTo[] {
  const byTask = new Map<string, OwedTo>();
  for (const { record, tp } of chunk) {
    if (!record.taskId) continue;
    const known = byTask.get(record.taskId);
    const records = ((known?.attributes?.['switchboard.audit_records'] as number) ?? 0) + 1;
    byTask.set(record.taskId, {
      key: record.taskId,
      traceparent: tp ?? known?.traceparent,
      attributes: { 'switchboard.task_id': record.taskId, 'switchboard.audit_records': records },
    });
  }
  return [...byTask.values()];
}
