import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { AuditTrail } from '@switchboard/messaging';
import {
  contextOfTraceparent,
  LOGGER,
  type Logger,
  SpanKind,
  withSpan,
} from '@switchboard/observability';
import { PeriodicSweep } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import {
  type LeasedDelivery,
  WebhookDeliveryRepository,
} from '../delivery/webhook-delivery.repository.js';
import { messageIdOf } from '../signing/webhook-signature.js';
import { attemptResultLabel, WebhookMetrics } from '../webhook.metrics.js';
import { shownUrl } from '../webhook-url.js';
import { type AttemptReport, DeliveryAttempt } from './delivery-attempt.js';

/** How much longer than an attempt's time limit a lease lasts (resolving the host comes first). */
const LEASE_MARGIN_MS = 30_000;
/** How often the kept deliveries are pruned (WEBHOOK_RETENTION_MS, WEBHOOK_DEAD_RETENTION_MS). */
const PURGE_EVERY_MS = 60_000;

type Settings = Pick<
  OrchestratorEnv,
  | 'WEBHOOK_SWEEP_MS'
  | 'WEBHOOK_CONCURRENCY'
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_RETENTION_MS'
  | 'WEBHOOK_DEAD_RETENTION_MS'
>;

/**
 * Sends the deliveries that are due, on every replica: each WEBHOOK_SWEEP_MS (and at once when this
 * replica has stored new ones) it leases up to WEBHOOK_CONCURRENCY minus what it is sending, SKIP
 * LOCKED, so each delivery is sent by one replica at a time; a replica that dies mid-call loses its
 * lease and another sends it again. The due list is the table itself: a restart loses nothing.
 * Delivered and dead deliveries are audited (never their body or the secret) and metered.
 */
@Injectable()
export class DeliverWebhooksUseCase extends PeriodicSweep {
  private lastPurge = 0;
  private readonly inflight = new Set<Promise<void>>();
  /** This replica's leases: one token per process, so a restarted replica's are not its own. */
  private readonly leaseToken = randomUUID();

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly attempt: DeliveryAttempt,
    private readonly metrics: WebhookMetrics,
    private readonly audit: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(config.WEBHOOK_SWEEP_MS, logger, 'webhook sweep failed; the next retries');
  }

  /** No sweep from now on; the sweep in progress and the attempts it started end first. */
  override async onModuleDestroy(): Promise<void> {
    await super.onModuleDestroy();
    await Promise.allSettled([...this.inflight]);
  }

  /**
   * One attempt, in a span of the task's trace (where the delivery was made due, stored with it):
   * whichever replica sends it and however late, the task's trace shows its webhook calls, and the
   * receiver gets that trace's `traceparent`. The URL shown is the redacted one (a query may carry a
   * token).
   */
  private attempted(d: LeasedDelivery): Promise<AttemptReport> {
    return withSpan(
      'webhook delivery',
      {
        'switchboard.task_id': d.taskId,
        'switchboard.webhook.delivery_id': d.id,
        'switchboard.webhook.event': d.event,
        'switchboard.webhook.attempt': d.attempts,
        'url.full': shownUrl(d.url),
      },
      async (span) => {
        const report = await this.attempt.run(d);
        if (span.isRecording())
          span.setAttributes({
            'switchboard.webhook.result': attemptResultLabel(report.result),
            ...(report.result.status !== undefined
              ? { 'http.response.status_code': report.result.status }
              : {}),
          });
        return report;
      },
      { kind: SpanKind.PRODUCER, parent: contextOfTraceparent(d.traceparent ?? undefined) },
    );
  }

  /** Looks for due deliveries now (one sweep at a time; a kick during one runs another after it). */
  kick(): void {
    this.job.kick();
  }

  /** One sweep: lease what is due (as much as there is room for) and start sending it. */
  override async sweep(): Promise<void> {
    const room = this.config.WEBHOOK_CONCURRENCY - this.inflight.size;
    const leased = await this.deliveries.claimDue(
      room,
      this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS,
      this.leaseToken,
    );
    for (const d of leased) {
      const p = this.deliver(d).finally(() => {
        this.inflight.delete(p);
        // A full sweep may have left due deliveries behind: look again as soon as there is room.
        if (leased.length === room) this.kick();
      });
      this.inflight.add(p);
    }
    if (Date.now() - this.lastPurge >= PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      await this.deliveries.purge(
        this.config.WEBHOOK_RETENTION_MS,
        this.config.WEBHOOK_DEAD_RETENTION_MS,
      );
    }
  }

  private async deliver(d: LeasedDelivery): Promise<void> {
    const started = performance.now();
    let report: AttemptReport;
    try {
      report = await this.attempted(d);
    } catch (e) {
      // Nothing was decided: the lease runs out and the delivery is attempted again.
      this.logger.error({ err: e, deliveryId: d.id }, 'webhook attempt failed unexpectedly');
      return;
    }
    const { result, outcome } = report;
    const label = attemptResultLabel(result);
    this.metrics.attempts.inc({ result: label });
    this.metrics.attemptSeconds.observe({ result: label }, (performance.now() - started) / 1000);
    const stored = await this.deliveries.finish(d.id, d.leaseToken, outcome, {
      lastStatus: result.status,
      lastReason: result.reason,
      lastMessage: result.message,
    });
    if (!stored) {
      this.logger.warn(
        { deliveryId: d.id },
        'webhook lease ran out mid-attempt; another replica has it',
      );
      return;
    }
    this.logger.debug(
      {
        deliveryId: d.id,
        taskId: d.taskId,
        attempt: d.attempts,
        result: result.message,
        next: outcome.status,
      },
      'webhook attempt',
    );
    if (outcome.status !== 'pending') this.ended(d, report);
  }

  /** Audits and counts a delivery that is delivered or dead. */
  private ended(d: LeasedDelivery, { result, outcome }: AttemptReport): void {
    const delivered = outcome.status === 'delivered';
    this.metrics.outcomes.inc({ outcome: outcome.status });
    if (!delivered)
      this.logger.warn(
        { deliveryId: d.id, taskId: d.taskId, attempts: d.attempts, reason: result.message },
        'webhook delivery is dead (in the dead letters)',
      );
    void this.audit.record({
      category: 'webhook',
      action: delivered ? 'webhook.delivered' : 'webhook.dead',
      outcome: delivered ? 'success' : 'failure',
      resource: d.id,
      taskId: d.taskId,
      tenantId: d.tenantId,
      actor: { userId: d.userId },
      onceKey: `webhook:${d.id}:${outcome.status}:${d.attempts}`,
      details: {
        messageId: messageIdOf(d.id),
        ...(d.subscriptionId ? { webhookId: d.subscriptionId } : {}),
        event: d.event,
        seq: d.seq,
        url: shownUrl(d.url),
        attempts: d.attempts,
        result: result.message,
        ...(result.status ? { httpStatus: result.status } : {}),
      },
    });
  }
}
