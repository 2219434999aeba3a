import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type Tasks, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { ContentScreen, RunSourceView, ScreenHit, TaskRunView } from '../tasks/index.js';
import {
  type GuardrailHit,
  GuardrailService,
  type GuardrailStage,
  type RuleSet,
  ruleSet,
} from './guardrail.service.js';

/**
 * The guardrails as the task sees them: the checks, and the report of a hit — the task event (shown as
 * GUARDRAIL_VIOLATION by `GET /ag-ui/events`), an audit record and a log line. None of them carries the
 * blocked text: only the stage, the rule, the text's length and (for a step's output) the step id.
 * The task core's content screen (tasks/ports/content-screen.port.ts).
 */
@Injectable()
export class Guardrails implements ContentScreen {
  constructor(
    private readonly checks: GuardrailService,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The platform's rules, those of `tenant` (the task's: its submission's actor's), and a replay's or
   * fork's own added rules (its run source's edits), compiled once per run.
   */
  check(
    stage: GuardrailStage,
    text: string | undefined,
    tenant: string,
    source?: RunSourceView,
  ): GuardrailHit | undefined {
    return this.checks.check(stage, text, tenant, this.extraOf(source));
  }

  private readonly extra = new WeakMap<RunSourceView, RuleSet>();

  private extraOf(source: RunSourceView | undefined): RuleSet | undefined {
    const added = source?.edits?.guardrails;
    if (!source || !added) return undefined;
    let rules = this.extra.get(source);
    if (!rules) {
      rules = ruleSet(added.disallowedKeywords, added.disallowedPatterns);
      this.extra.set(source, rules);
    }
    return rules;
  }

  /** The input guardrail on the task's text (its submission's, for its tenant), before it is stored. */
  checkInput(submission: Tasks.TaskSubmission, source?: RunSourceView): GuardrailHit | undefined {
    return this.check('input', submission.request.task, tenantOf(submission.actor), source);
  }

  /** The output guardrail on what the planner generated: a hit is reported and ends the round. */
  screenAnswer(run: TaskRunView, generated: string): DomainError | undefined {
    const hit = this.check('output', generated, tenantOf(run.submission.actor), run.source);
    return hit ? this.block(run, hit, generated.length) : undefined;
  }

  /** Reports a hit on the task text or on what the planner generated; returns the error that ends the task. */
  block(run: TaskRunView, hit: ScreenHit, blockedChars: number): DomainError {
    this.report(run, hit, blockedChars);
    const message =
      hit.stage === 'input'
        ? `the request was blocked by a guardrail (${hit.rule})`
        : `the reply was blocked by a guardrail (${hit.rule})`;
    return new DomainError('GUARDRAIL', message, { details: { stage: hit.stage, rule: hit.rule } });
  }

  /**
   * Checks what a step brought back (a tool's result or error, an agent's answer or status text) with
   * the output guardrail before it is streamed, stored or shown to the planner. A hit is reported and
   * returned as the error that fails the step.
   */
  screenStep(run: TaskRunView, stepId: string, value: unknown): DomainError | undefined {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const hit = this.check('output', text, tenantOf(run.submission.actor), run.source);
    if (!hit) return undefined;
    this.report(run, hit, text.length, stepId);
    return new DomainError(
      'GUARDRAIL',
      `the output of step ${stepId} was blocked by a guardrail (${hit.rule})`,
      { details: { stage: hit.stage, rule: hit.rule, stepId } },
    );
  }

  private report(run: TaskRunView, hit: ScreenHit, blockedChars: number, stepId?: string): void {
    const { taskId, actor, correlationId } = run.submission;
    const where = stepId ? { stepId } : {};
    run.events.emit(
      'orchestrator.guardrail.violation',
      { stage: hit.stage, rule: hit.rule, ...where },
      `${stepId ? `output of step ${stepId}` : hit.stage} blocked by a guardrail (${hit.rule})`,
    );
    this.logger.warn(
      { taskId, stage: hit.stage, rule: hit.rule, blockedChars, ...where },
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
      details: { stage: hit.stage, rule: hit.rule, blockedChars, ...where },
    });
  }
}
