import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Audit } from '@switchboard/contracts';
import type { AuditEnv } from '../config/audit.env.js';
import { AuditRepository } from './audit.repository.js';
import { CHAIN_WATCHER, type ChainWatcher } from './chain-watcher.js';

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
 * The watcher (the task logs) hears of each append before its callers are answered, outside the
 * one-at-a-time chain: a task's log written from the journal does not hold up the next append.
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
    @Optional() @Inject(CHAIN_WATCHER) private readonly watcher?: ChainWatcher,
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
    const offered = batch.flatMap((w) => w.records);
    let chained: Audit.AuditRecord[];
    try {
      chained = await this.repository.appendNew(offered);
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    if (!this.watcher) return this.answer(batch, chained);
    // Not awaited: the next append goes meanwhile; these callers are answered once it is done.
    void this.watcher.chained(offered, chained).then(
      () => this.answer(batch, chained),
      (e: unknown) => {
        for (const w of batch) w.reject(e);
      },
    );
  }

  private answer(batch: Waiting[], chained: Audit.AuditRecord[]): void {
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
