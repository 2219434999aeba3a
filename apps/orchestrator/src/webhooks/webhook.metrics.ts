import { Injectable } from '@nestjs/common';
import {
  counter,
  declareMetrics,
  gauge,
  histogram,
  Metrics,
  metricSet,
} from '@switchboard/observability';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';

/**
 * What operators watch of webhooks: deliveries stored, attempts by result, how long attempts take,
 * what ended delivered or dead, and (read from the database when scraped, so every replica reports
 * the platform's) how many wait and how many are dead.
 */
@Injectable()
export class WebhookMetrics extends metricSet({
  enqueued: counter(
    'sb_webhook_deliveries_enqueued_total',
    'Webhook deliveries stored (one task event for one webhook)',
  ),
  attempts: counter(
    'sb_webhook_attempts_total',
    'Webhook delivery attempts, by result (2xx, 3xx, 4xx, 5xx, timeout, network, target_forbidden)',
    ['result'],
  ),
  attemptSeconds: histogram(
    'sb_webhook_attempt_seconds',
    'Time one webhook delivery attempt took, by result',
    ['result'],
    [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  ),
  outcomes: counter(
    'sb_webhook_deliveries_total',
    'Webhook deliveries that ended, by outcome (delivered, dead)',
    ['outcome'],
  ),
  refusedTargets: counter(
    'sb_webhook_targets_refused_total',
    'Webhook targets the URL policy refused, where (registration, delivery) and why (scheme, address, unresolvable)',
    ['where', 'refusal'],
  ),
}) {
  constructor(metrics: Metrics, deliveries: WebhookDeliveryRepository) {
    super(metrics);
    declareMetrics(metrics.registry, {
      waiting: gauge(
        'sb_webhook_deliveries',
        'Webhook deliveries not done, by status (pending, sending, dead), platform-wide from the database',
        ['status'],
        async (g) => {
          const counts = await deliveries.countByStatus();
          for (const status of ['pending', 'sending', 'dead'])
            g.set({ status }, counts[status] ?? 0);
        },
      ),
    });
  }
}

/** A result's label: the status class of an answer, else why there was none. */
export function attemptResultLabel(r: {
  status?: number | undefined;
  reason?: string | undefined;
}): string {
  if (r.status !== undefined && r.status > 0) return `${Math.floor(r.status / 100)}xx`;
  return r.reason ?? 'unknown';
}
