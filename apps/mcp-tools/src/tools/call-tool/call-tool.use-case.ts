import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DEFAULT_TENANT,
  Audit,
  DomainError,
  type NatsIdentity,
  Tenancy,
  tenantOf,
  type Tools,
} from '@switchboard/contracts';
import { type AuditEvent, AuditTrail } from '@switchboard/messaging';
import { failSpan, type Span, withSpan } from '@switchboard/observability';
import {
  CallApprovalChecker,
  type ConfirmedApproval,
} from '../../approvals/call-approval.checker.js';
import { ToolCallQuota } from '../../quotas/tool-call.quota.js';
import { ToolRegistry } from '../../registry/tool-registry.service.js';
import { IdempotencyService } from '../idempotency.service.js';
import { ToolAccessChecker } from '../tool-access.checker.js';
import { ToolRunner } from '../tool-runner.js';
import { ToolMetrics } from '../tool.metrics.js';

/**
 * Runs one tool call for `actor`: the tool must exist and be permitted now (the same rule as the
 * manifest, plus the task's offer), the input must match its schema, and a tool whose policy needs
 * approval must come with an approval of exactly this call (CallApprovalChecker, on every attempt and
 * before the idempotency store, so a refused call leaves nothing stored); then the runner executes it.
 * Non-idempotent calls with an idempotency key run at most once (IdempotencyService). A call that
 * runs takes one of its tenant's `toolCallsPerDay` first (ToolCallQuota; a repeat answered from the
 * store takes none). Every outcome is audited, counted, timed, logged and traced (a `tool call`
 * span), with messages already scrubbed of credentials; a refusal (a permission, a quota) as `denied`.
 *
 * A success's record is published to SB_AUDIT, or handed back in the result (`audit`) when the
 * orchestrator asks for it (`auditInReply`) on a keyed call of a task: it journals the record with
 * the step that stores the result and relays it to the trail after that commit (docs/tools.md).
 */
@Injectable()
export class CallToolUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly access: ToolAccessChecker,
    private readonly approvals: CallApprovalChecker,
    private readonly runner: ToolRunner,
    private readonly once: IdempotencyService,
    private readonly audit: AuditTrail,
    private readonly metrics: ToolMetrics,
    private readonly quota: ToolCallQuota,
  ) {}

  /** `replyTo`: whose inbox the reply goes to (MessageMeta.replyTo), the only one that reads it. */
  execute(
    actor: Actor,
    req: Tools.ToolCallRequest,
    replyTo?: NatsIdentity,
  ): Promise<Tools.ToolCallResult> {
    return withSpan(
      'tool call',
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': req.tool,
        ...(req.taskId ? { 'switchboard.task_id': req.taskId } : {}),
        ...(req.stepId ? { 'switchboard.step_id': req.stepId } : {}),
      },
      (span) => this.call(actor, req, span, replyTo),
    );
  }

  private async call(
    actor: Actor,
    req: Tools.ToolCallRequest,
    span: Span,
    replyTo: NatsIdentity | undefined,
  ): Promise<Tools.ToolCallResult> {
    const started = performance.now();
    const registered = this.registry.get(req.tool);
    try {
      if (!registered)
        throw new DomainError('NOT_FOUND', `unknown tool "${req.tool}"`, {
          details: { tool: req.tool, refusal: 'unknown-tool' satisfies Tools.ToolRefusal },
        });
      await this.access.assertCallable(actor, registered, req);
      this.runner.validateInput(registered, req.input);
      const approval = await this.approvals.assertApproved(registered, req, actor);
      const answer = await this.approvals.assertAnswered(registered, req);
      const { result, replayed } = await this.once.run(
        registered.definition,
        req,
        actor,
        (record) =>
          this.runner.run(actor, registered, req, record).catch((e: unknown) => {
            throw this.runner.safeError(registered, e, actor);
          }),
        {
          keyed: registered.implementation.keyed === true,
          admit: () => this.quota.take(actor),
          // Under a quota, a repeat must not be counted: the claim comes first there.
          completesItsCall:
            registered.implementation.completesItsCall === true && !this.quota.limits(actor),
        },
      );
      const durationMs = performance.now() - started;
      const audit = this.succeeded(
        actor,
        req,
        span,
        { durationMs, replayed, approval, answer },
        auditsInReply(req, replyTo),
      );
      return {
        tool: req.tool,
        output: result.output,
        ...(result.content ? { content: result.content } : {}),
        durationMs,
        replayed,
        ...(audit ? { audit } : {}),
      };
    } catch (e) {
      const error = this.runner.safeError(registered, e, actor);
      this.failed(req, registered ? req.tool : 'unknown', span, started, error);
      throw error;
    }
  }

  /**
   * Counted, traced and audited once (a retry answered from the idempotency store is the same call).
   * With `inReply`, its audit record is built and answered instead of published (one the contract
   * refuses would break the reply of a call that ran: it is published, and so logged, instead).
   */
  private succeeded(
    actor: Actor,
    req: Tools.ToolCallRequest,
    span: Span,
    {
      durationMs,
      replayed,
      approval,
      answer,
    }: {
      durationMs: number;
      replayed: boolean;
      approval: ConfirmedApproval | undefined;
      answer?: ConfirmedApproval | undefined;
    },
    inReply = false,
  ): Audit.AuditRecord | undefined {
    this.metrics.record({
      tool: req.tool,
      outcome: replayed ? 'replayed' : 'ok',
      seconds: durationMs / 1000,
      taskId: req.taskId,
      stepId: req.stepId,
    });
    span.setAttribute('switchboard.replayed', replayed);
    const event: AuditEvent = {
      category: 'tool',
      action: 'tool.call',
      outcome: 'success',
      resource: req.tool,
      ...(req.idempotencyKey ? { onceKey: auditOnceKey(actor, req.idempotencyKey) } : {}),
      ...(req.taskId ? { taskId: req.taskId } : {}),
      details: {
        tool: req.tool,
        durationMs: Math.round(durationMs),
        replayed,
        ...(req.stepId ? { stepId: req.stepId } : {}),
        // Who let it run: the proof that a person approved exactly this call.
        ...(approval ? { approvalId: approval.approvalId, approvedBy: approval.decidedBy } : {}),
        // Who answered the question the tool's MCP server asked, under which approval.
        ...(answer ? { answerApprovalId: answer.approvalId, answeredBy: answer.decidedBy } : {}),
      },
    };
    const built = inReply ? Audit.AuditRecord.safeParse(this.audit.build(event)) : undefined;
    if (built?.success) return built.data;
    void this.audit.record(event);
    return undefined;
  }

  /** A refusal (`denied`) or a failure: counted under `tool` (`unknown` for a name not registered). */
  private failed(
    req: Tools.ToolCallRequest,
    tool: string,
    span: Span,
    started: number,
    error: DomainError,
  ): void {
    this.metrics.record({
      tool,
      outcome: error.code,
      seconds: (performance.now() - started) / 1000,
      taskId: req.taskId,
      stepId: req.stepId,
      error: error.message,
    });
    span.setAttribute('switchboard.outcome', error.code);
    failSpan(span, error);
    const quota = Tenancy.QuotaExceeded.safeParse(error.details);
    void this.audit.record({
      category: 'tool',
      action: 'tool.call',
      outcome: error.code === 'FORBIDDEN' || quota.success ? 'denied' : 'failure',
      resource: req.tool,
      ...(req.taskId ? { taskId: req.taskId } : {}),
      details: {
        tool: req.tool,
        code: error.code,
        message: error.message,
        ...(req.taskId ? { taskId: req.taskId } : {}),
        ...(req.stepId ? { stepId: req.stepId } : {}),
        // Which check refused it (an approval's, for instance); never the call's arguments.
        ...(typeof error.details?.['reason'] === 'string'
          ? { reason: error.details['reason'] }
          : {}),
        ...(req.approval ? { approvalId: req.approval.id } : {}),
        ...(req.answer ? { answerApprovalId: req.answer.approvalId } : {}),
        // The limit that refused it (toolCallsPerDay: whose, its value, what was used).
        ...(quota.success ? { quota: quota.data } : {}),
      },
    });
  }
}

/**
 * Whether a success's record goes back in the reply rather than to SB_AUDIT: asked for, on a keyed
 * call of a task (its record id comes from the key, so the repeat after an orchestrator crash brings
 * back the same record and the trail chains it once), and only when the reply reaches the orchestrator
 * — the one service that journals it with the step. Any other caller's record is published: a flag
 * alone must not keep a call out of the trail.
 */
function auditsInReply(req: Tools.ToolCallRequest, replyTo: NatsIdentity | undefined): boolean {
  return (
    req.auditInReply === true && !!req.taskId && !!req.idempotencyKey && replyTo === 'orchestrator'
  );
}

/**
 * The audit record id of a keyed call, the same for its repeats: per tenant, as the key is (the
 * default tenant's keeps the form it had before tenants, so its records stay de-duplicated).
 */
function auditOnceKey(actor: Actor, idempotencyKey: string): string {
  const tenant = tenantOf(actor);
  const scope = tenant === DEFAULT_TENANT ? actor.userId : `${tenant}/${actor.userId}`;
  return `tool.call:${scope}:${idempotencyKey}`;
}
