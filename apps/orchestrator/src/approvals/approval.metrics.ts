import { Injectable } from '@nestjs/common';
import {
  counter,
  declareMetrics,
  gauge,
  histogram,
  Metrics,
  metricSet,
} from '@switchboard/observability';
import { ApprovalRepository } from './approval.repository.js';

/** Approvals pending, asked for, decided (and how: approved, rejected, expired, cancelled), and how long it took. */
@Injectable()
export class ApprovalMetrics extends metricSet({
  requested: counter(
    'sb_approvals_requested_total',
    'Calls that stopped their task to wait for a decision, by tool or agent',
    ['target'],
  ),
  decided: counter(
    'sb_approvals_decided_total',
    'Approvals decided, by tool or agent and outcome (approved, rejected, expired, cancelled)',
    ['target', 'status'],
  ),
  secondsToDecision: histogram(
    'sb_approval_decision_seconds',
    'Time from an approval request to its decision',
    ['status'],
    [1, 5, 15, 60, 300, 900, 3600, 14400, 86400],
  ),
}) {
  constructor(metrics: Metrics, repository: ApprovalRepository) {
    super(metrics);
    // Read from the table when scraped: every replica reports the platform's pending approvals.
    declareMetrics(metrics.registry, {
      pending: gauge(
        'sb_approvals_pending',
        'Approvals waiting for a decision (the whole platform, read from the database)',
        [],
        async (g) => g.set(await repository.pendingCount()),
      ),
    });
  }
}
