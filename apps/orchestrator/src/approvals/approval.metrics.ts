import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ApprovalRepository } from './approval.repository.js';

/** Approvals pending, asked for, decided (and how: approved, rejected, expired, cancelled), and how long it took. */
@Injectable()
export class ApprovalMetrics {
  readonly requested: Counter<'target'>;
  readonly decided: Counter<'target' | 'status'>;
  readonly secondsToDecision: Histogram<'status'>;

  constructor(metrics: Metrics, repository: ApprovalRepository) {
    const registers = [metrics.registry];
    this.requested = new Counter({
      name: 'sb_approvals_requested_total',
      help: 'Calls that stopped their task to wait for a decision, by tool or agent',
      labelNames: ['target'],
      registers,
    });
    this.decided = new Counter({
      name: 'sb_approvals_decided_total',
      help: 'Approvals decided, by tool or agent and outcome (approved, rejected, expired, cancelled)',
      labelNames: ['target', 'status'],
      registers,
    });
    // Read from the table when scraped: every replica reports the platform's pending approvals.
    new Gauge({
      name: 'sb_approvals_pending',
      help: 'Approvals waiting for a decision (the whole platform, read from the database)',
      registers,
      async collect() {
        this.set(await repository.pendingCount());
      },
    });
    this.secondsToDecision = new Histogram({
      name: 'sb_approval_decision_seconds',
      help: 'Time from an approval request to its decision',
      labelNames: ['status'],
      buckets: [1, 5, 15, 60, 300, 900, 3600, 14400, 86400],
      registers,
    });
  }
}
