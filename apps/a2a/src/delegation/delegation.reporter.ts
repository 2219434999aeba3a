import { Injectable, Inject } from '@nestjs/common';
import { A2a } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { A2aMetrics } from './a2a.metrics.js';

/**
 * What a delegation tells the rest of the platform: progress on its subject (for the task's event
 * stream), the audit record of its outcome, and its metrics. None of it may fail the delegation.
 */
@Injectable()
export class DelegationReporter {
  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
    private readonly metrics: A2aMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  progress(update: A2a.DelegationUpdate): void {
    try {
      this.bus.publish(A2a.DelegationProgress, [update.delegationId], update);
    } catch (e) {
      this.logger.warn(
        { err: e, delegationId: update.delegationId },
        'could not publish delegation progress',
      );
    }
  }

  /** The audit record of an outcome (written in the background: the audit trail retries it). */
  record(
    request: A2a.DelegateRequest,
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
  ): void {
    void this.audit.record({
      category: 'delegation',
      action: 'a2a.delegate',
      outcome,
      resource: request.agent,
      taskId: request.taskId,
      details: { delegationId: request.delegationId, stepId: request.stepId, ...details },
    });
  }

  observe(agent: string, transport: A2a.AgentTransport, outcome: string, started: number): void {
    this.metrics.delegations.inc({ agent, transport, outcome });
    this.metrics.delegationSeconds.observe(
      { agent, transport },
      (performance.now() - started) / 1000,
    );
  }

  /**
   * Progress went out on the client connection, the reply leaves on the server's: flushing first
   * keeps the last update ahead of the reply.
   */
  async flush(): Promise<void> {
    await this.bus.connection.flush().catch(() => undefined);
  }
}
