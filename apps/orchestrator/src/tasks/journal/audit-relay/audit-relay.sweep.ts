import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Audit } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { drainBatches, PeriodicSweep } from '@switchboard/runtime';
import type { AuditRelaySettings } from '../../../config/audit-relay.settings.js';
import { AuditOutboxRepository } from './audit-outbox.repository.js';
import { AuditRelay } from './audit-relay.js';

/** Relayed rows one sweep deletes at most (the rest go with the next sweeps). */
const FORGET_BATCH = 1_000;

/**
 * Catches up what the relay did not send: every AUDIT_RELAY_SWEEP_MS, on every replica, the audit
 * records JournalOutbox still owes past AUDIT_RELAY_SWEEP_AFTER_MS — a replica killed between a
 * commit and its relay, an audit service that did not answer — are taken (FOR UPDATE SKIP LOCKED:
 * replicas share them), sent and marked in one transaction, batch after batch; then relayed rows past
 * AUDIT_RELAY_KEEP_MS are deleted. A sweep that fails is logged and the next one retries.
 */
@Injectable()
export class AuditRelaySweep extends PeriodicSweep {
  constructor(
    private readonly outbox: AuditOutboxRepository,
    private readonly relay: AuditRelay,
    @Inject(APP_CONFIG) private readonly config: AuditRelaySettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(config.AUDIT_RELAY_SWEEP_MS, logger, 'audit relay sweep failed; the next one retries');
  }

  /** Relays every record owed past AUDIT_RELAY_SWEEP_AFTER_MS; how many. */
  override async sweep(): Promise<number> {
    const { AUDIT_RELAY_BATCH: batch, AUDIT_RELAY_SWEEP_AFTER_MS: after } = this.config;
    // The transaction outlives the request's timeout: its rows stay locked until it answered.
    const timeoutMs = Audit.AuditAppend.timeoutMs + 5_000;
    let total = 0;
    await drainBatches(
      async () => {
        const sent = await this.outbox.relayOwed(
          after,
          batch,
          (r) => this.relay.send(r),
          timeoutMs,
        );
        total += sent;
        return sent;
      },
      batch,
      { stopped: () => this.stopped },
    );
    if (total) this.logger.info({ relayed: total }, 'owed audit records relayed by the sweep');
    await this.outbox.forgetRelayed(this.config.AUDIT_RELAY_KEEP_MS, FORGET_BATCH);
    return total;
  }
}
