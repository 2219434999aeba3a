import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Tools } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { ToolRegistry } from '../registry/tool-registry.service.js';
import { IdempotencyService } from './idempotency.service.js';
import { ToolAccessChecker } from './tool-access.checker.js';
import { ToolRunner } from './tool-runner.js';
import { ToolMetrics } from './tool.metrics.js';

/**
 * Runs one tool call for `actor`: the tool must exist and be permitted now (the same rule as the
 * manifest, plus the task's offer), the input must match its schema; then the runner executes it.
 * Non-idempotent calls with an idempotency key run at most once (IdempotencyService). Every outcome is
 * audited and counted, with messages already scrubbed of credentials.
 */
@Injectable()
export class CallToolUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly access: ToolAccessChecker,
    private readonly runner: ToolRunner,
    private readonly once: IdempotencyService,
    private readonly audit: AuditTrail,
    private readonly metrics: ToolMetrics,
  ) {}

  async execute(actor: Actor, req: Tools.ToolCallRequest): Promise<Tools.ToolCallResult> {
    const started = performance.now();
    const registered = this.registry.get(req.tool);
    try {
      if (!registered)
        throw new DomainError('NOT_FOUND', `unknown tool "${req.tool}"`, {
          details: { tool: req.tool },
        });
      await this.access.assertCallable(actor, registered, req);
      this.runner.validateInput(registered, req.input);
      const { result, replayed } = await this.once.run(
        registered.definition,
        req,
        actor.userId,
        () =>
          this.runner.run(actor, registered, req).catch((e: unknown) => {
            throw this.runner.safeError(registered, e);
          }),
      );
      const durationMs = performance.now() - started;
      this.metrics.calls.inc({ tool: req.tool, outcome: replayed ? 'replayed' : 'ok' });
      void this.audit.record({
        category: 'tool',
        action: 'tool.call',
        outcome: 'success',
        resource: req.tool,
        ...(req.taskId ? { taskId: req.taskId } : {}),
        details: {
          tool: req.tool,
          durationMs: Math.round(durationMs),
          replayed,
          ...(req.stepId ? { stepId: req.stepId } : {}),
        },
      });
      return {
        tool: req.tool,
        output: result.output,
        ...(result.content ? { content: result.content } : {}),
        durationMs,
        replayed,
      };
    } catch (e) {
      const error = this.runner.safeError(registered, e);
      this.metrics.calls.inc({ tool: registered ? req.tool : 'unknown', outcome: error.code });
      void this.audit.record({
        category: 'tool',
        action: 'tool.call',
        outcome: error.code === 'FORBIDDEN' ? 'denied' : 'failure',
        resource: req.tool,
        ...(req.taskId ? { taskId: req.taskId } : {}),
        details: {
          tool: req.tool,
          code: error.code,
          message: error.message,
          ...(req.stepId ? { stepId: req.stepId } : {}),
        },
      });
      throw error;
    }
  }
}
