import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Audit } from '@switchboard/contracts';
import type { AuditEnv } from '../config/audit.env.js';
import { AuditRepository } from './audit.repository.js';

interface Waiting {
  records: Audit.AuditRecord[];
  resolve(chained: Audit.AuditRecord[]): void;
  reject(e: unknown): void;
}

/**
 * The one way into the chain within a replica: the durable consumer's batches (SB_AUDIT) and the
 * relayed ones (sb.cmd.audit.append) wait here up to AUDIT_BATCH_LINGER_MS for each other and go in
 * one append, one at a time. Two appends of one replica never race for the same head (which costs a
 * failed insert and the locked path), and a task's records that arrive both ways share a transaction.
 */
@Injectable()
export class AuditAppendQueue {
  private waiting: Waiting[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: AuditRepository,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AuditEnv, 'AUDIT_BATCH_LINGER_MS' | 'AUDIT_BATCH_SIZE'>,
  ) {}

  /** Appends `records` with whatever else is waiting; resolves with those of them chained now. */
  append(records: Audit.AuditRecord[]): Promise<Audit.AuditRecord[]> {
    if (!records.length) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      this.size += records.length;
      if (this.size >= this.config.AUDIT_BATCH_SIZE) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.config.AUDIT_BATCH_LINGER_MS);
    });
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    this.size = 0;
    this.tail = this.tail.then(() => this.commit(batch));
  }

  private async commit(batch: Waiting[]): Promise<void> {
    let chained: Audit.AuditRecord[];
    try {
      chained = await this.repository.appendNew(batch.flatMap((w) => w.records));
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    // Each record chained now goes back to the first caller that sent it.
    const fresh = new Map(chained.map((r) => [r.id, r]));
    for (const w of batch) {
      const mine = w.records.flatMap((r) => {
        const stored = fresh.get(r.id);
        fresh.delete(r.id);
        return stored ? [stored] : [];
      });
      w.resolve(mine);
    }
  }
}
