import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { TaskRun } from '../tasks/task-run.js';
import { type GuardrailHit, GuardrailService, type GuardrailStage } from './guardrail.service.js';

/**
 * The guardrails as the task sees them: the checks, and the report of a hit — the task event (seed 3's
 * GUARDRAIL_VIOLATION on the ag-ui surface), an audit record and a log line. None of them carries the
 * blocked text: only the stage, the rule and the text's length.
 */
@Injectable()
export class Guardrails {
  constructor(
    private readonly checks: GuardrailService,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  check(stage: GuardrailStage, text: string | undefined): GuardrailHit | undefined {
    return this.checks.check(stage, text);
  }

  /** Reports the hit and returns the error that ends the task. */
  block(run: TaskRun, hit: GuardrailHit, blockedChars: number): DomainError {
    const { taskId, actor, correlationId } = run.submission;
    run.events.emit(
      'orchestrator.guardrail.violation',
      { stage: hit.stage, rule: hit.rule },
      `${hit.stage} blocked by a guardrail (${hit.rule})`,
    );
    this.logger.warn(
      { taskId, stage: hit.stage, rule: hit.rule, blockedChars },
      'guardrail blocked text',
    );
    void this.audit.record({
      category: 'guardrail',
      action: 'guardrail.blocked',
      outcome: 'denied',
      resource: taskId,
      taskId,
      actor: { userId: actor.userId, role: actor.role },
      correlationId,
      details: { stage: hit.stage, rule: hit.rule, blockedChars },
    });
    const message =
      hit.stage === 'input'
        ? `the request was blocked by a guardrail (${hit.rule})`
        : `the reply was blocked by a guardrail (${hit.rule})`;
    return new DomainError('GUARDRAIL', message, { details: { stage: hit.stage, rule: hit.rule } });
  }
}
