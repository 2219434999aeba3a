import { Inject, Injectable } from '@nestjs/common';
import { DomainError, isDomainError, type Tools } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { setTimeout as delay } from 'node:timers/promises';
import { TaskCancellations } from './task-cancellations.js';
import { type CallClaim, ToolCallRepository } from './tool-call.repository.js';
import type { RunResult } from './tool-runner.js';
import { FINISH_GRACE_MS } from './tool-timeouts.js';

/** How often a repeated call looks at the running call it waits for. */
const POLL_MS = 100;

type Settled = Exclude<CallClaim, { state: 'new' | 'running' }>;

/**
 * Non-idempotent calls with an idempotency key run at most once. A repeat gets the first call's result
 * or error. A repeat that finds the first call still running (typically an orchestrator that resumed a
 * task after a crash, while the dead replica's call still runs here or on another replica) waits for
 * it — up to that call's timeout — instead of failing and tempting the planner into a second run. A
 * call that never finished (its replica died) is marked interrupted; it is not run again.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly calls: ToolCallRepository,
    private readonly cancellations: TaskCancellations,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Runs `execute` unless the call is a repeat. `execute` rejects with the error as callers may see it
   * (that is what a repeat gets back).
   */
  async run(
    definition: Pick<Tools.ToolDefinition, 'name' | 'idempotent' | 'timeoutMs'>,
    req: Pick<Tools.ToolCallRequest, 'idempotencyKey' | 'taskId'>,
    userId: string,
    execute: () => Promise<RunResult>,
  ): Promise<{ result: RunResult; replayed: boolean }> {
    const key = req.idempotencyKey && !definition.idempotent ? req.idempotencyKey : undefined;
    if (!key) return { result: await execute(), replayed: false };
    const claim = await this.calls.claim(key, userId, definition.name);
    if (claim.state !== 'new') {
      const earlier = await this.settle(key, claim, definition, req.taskId, userId);
      if (earlier.state === 'failed') throw DomainError.fromBody(earlier.error);
      return { result: { output: earlier.output }, replayed: true };
    }
    try {
      const result = await execute();
      await this.calls.complete(key, result.output);
      return { result, replayed: false };
    } catch (e) {
      const error = isDomainError(e)
        ? e.toBody()
        : { code: 'INTERNAL' as const, message: 'tool failed unexpectedly', retryable: false };
      await this.calls.fail(key, error).catch(() => undefined);
      throw e;
    }
  }

  /** The earlier call's outcome: at once, after waiting for it to finish, or interrupted. */
  private async settle(
    key: string,
    claim: Exclude<CallClaim, { state: 'new' }>,
    definition: Pick<Tools.ToolDefinition, 'name' | 'timeoutMs'>,
    taskId: string | undefined,
    userId: string,
  ): Promise<Settled> {
    if (claim.state !== 'running') return claim;
    const tool = definition.name;
    const deadline = claim.startedAt.getTime() + definition.timeoutMs + FINISH_GRACE_MS;
    let state: CallClaim = claim;
    if (Date.now() < deadline) {
      this.logger.info(
        { tool, idempotencyKey: key, startedAt: claim.startedAt.toISOString() },
        'waiting for the running call with the same idempotency key',
      );
      state = await this.waitWhileRunning(key, userId, tool, deadline, taskId);
    }
    if (state.state !== 'running' && state.state !== 'new') return state;
    // Past its timeout and still not finished: the replica that ran it is gone.
    const error = new DomainError(
      'CONFLICT',
      `an earlier call of ${tool} with this idempotency key (started ${claim.startedAt.toISOString()}) was interrupted before it finished; ${tool} is not idempotent, so it is not run again — check whether it took effect before calling it anew`,
      { details: { tool, interrupted: true, startedAt: claim.startedAt.toISOString() } },
    ).toBody();
    if (await this.calls.interrupt(key, error)) {
      this.logger.warn(
        { tool, idempotencyKey: key, startedAt: claim.startedAt.toISOString() },
        'marked an unfinished tool call as interrupted',
      );
      return { state: 'failed', error };
    }
    // It finished (or another repeat marked it) just now: that outcome stands.
    const now = await this.calls.read(key, userId, tool);
    return now.state === 'completed' || now.state === 'failed' ? now : { state: 'failed', error };
  }

  private async waitWhileRunning(
    key: string,
    userId: string,
    tool: string,
    deadline: number,
    taskId: string | undefined,
  ): Promise<CallClaim> {
    let cancelled: string | undefined;
    const unwatch = taskId
      ? this.cancellations.watch(taskId, (reason) => (cancelled = reason))
      : () => undefined;
    try {
      for (;;) {
        if (cancelled !== undefined) {
          throw new DomainError(
            'CANCELLED',
            `tool ${tool} was cancelled with its task: ${cancelled}`,
          );
        }
        const state = await this.calls.read(key, userId, tool);
        const left = deadline - Date.now();
        if (state.state !== 'running' || left <= 0) return state;
        await delay(Math.min(POLL_MS, left));
      }
    } finally {
      unwatch();
    }
  }
}
