import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter, Gauge, Histogram } from 'prom-client';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';

/**
 * What operators watch of webhooks: deliveries stored, attempts by result, how long attempts take,
 * what ended delivered or dead, and (read from the database when scraped, so every replica reports
 * the platform's) how many wait and how many are dead.
 */
@Injectable()
export class WebhookMetrics {
  readonly enqueued: Counter;
  readonly attempts: Counter<'result'>;
  readonly attemptSeconds: Histogram<'result'>;
  readonly outcomes: Counter<'outcome'>;
  readonly refusedTargets: Counter<'where' | 'refusal'>;

  constructor(metrics: Metrics, deliveries: WebhookDeliveryRepository) {
    const registers = [metrics.registry];
    this.enqueued = new Counter({
      name: 'sb_webhook_deliveries_enqueued_total',
      help: 'Webhook deliveries stored (one task event for one webhook)',
      registers,
    });
    this.attempts = new Counter({
      name: 'sb_webhook_attempts_total',
      help: 'Webhook delivery attempts, by result (2xx, 3xx, 4xx, 5xx, timeout, network, target_forbidden)',
      labelNames: ['result'],
      registers,
    });
    this.attemptSeconds = new Histogram({
      name: 'sb_webhook_attempt_seconds',
      help: 'Time one webhook delivery attempt took, by result',
      labelNames: ['result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.outcomes = new Counter({
      name: 'sb_webhook_deliveries_total',
      help: 'Webhook deliveries that ended, by outcome (delivered, dead)',
      labelNames: ['outcome'],
      registers,
    });
    this.refusedTargets = new Counter({
      name: 'sb_webhook_targets_refused_total',
      help: 'Webhook targets the URL policy refused, where (registration, delivery) and why (scheme, address, unresolvable)',
      labelNames: ['where', 'refusal'],
      registers,
    });
    new Gauge({
      name: 'sb_webhook_deliveries',
      help: 'Webhook deliveries not done, by status (pending, sending, dead), platform-wide from the database',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await deliveries.countByStatus();
        for (const status of ['pending', 'sending', 'dead'])
          this.set({ status }, counts[status] ?? 0);
      },
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
