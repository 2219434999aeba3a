import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Actor, DomainError, errorBodyOf, tenantOf, type Tools } from '@switchboard/contracts';
import {
  LOGGER,
  type Logger,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import { setTimeout as delay } from 'node:timers/promises';
import type { CallRecord } from '../registry/tool-implementation.js';
import { TaskCancellations } from './task-cancellations.js';
import { type CallClaim, type CallKey, ToolCallRepository } from './tool-call.repository.js';
import type { RunResult } from './tool-runner.js';
import { FINISH_GRACE_MS } from './tool-timeouts.js';

/** How often a repeated call looks at the running call it waits for. */
const POLL_MS = 100;
/** How often a replica renews the leases of the keyed calls it runs. */
export const LEASE_RENEW_MS = 1_000;
/** A lease not renewed for this long belongs to a replica that is gone. */
export const LEASE_STALE_MS = 5 * LEASE_RENEW_MS;

type Settled = Exclude<CallClaim, { state: 'new' | 'running' }>;

/** How a tool behaves under its idempotency key, as the implementation declares it. */
export interface OnceSettings {
  /**
   * The tool itself does its work at most once per key (notes.add stores the key with its note): a
   * call whose replica died may simply run again under the same key.
   */
  keyed?: boolean;
  /**
   * Runs before the call itself, once per call: never for a repeat answered from the store (nor for a
   * call taken over from a replica that is gone: it was admitted then). What it throws refuses the
   * call (a quota: ToolCallQuota); a keyed call is then stored `refused`, not failed: a repeat that
   * was waiting for it gets the same refusal, and the next call with the key is admitted anew.
   */
  admit?: () => Promise<void>;
  /**
   * The tool writes the call's record, completed, in the statement of its effect (notes.add): the
   * call is admitted, then run once with the record to write (`execute(record)`) — no claim before,
   * no completion after. Only where a repeat costs nothing to admit (no quota counts the tenant's
   * calls): the admission comes before the statement finds out whether the key was taken.
   */
  completesItsCall?: boolean;
}

/**
 * Non-idempotent calls with an idempotency key run at most once. A repeat gets the first call's result
 * or error. A repeat that finds the first call still running (an orchestrator that sent it again after
 * losing the reply, or resumed a task after a crash) waits for it instead of failing and tempting the
 * planner into a second run. The replica running a keyed call renews a lease on it every second, so a
 * repeat knows within seconds when that replica is gone: the call is then run again if the tool is
 * itself keyed (its effect, if any, is found, not repeated), else marked interrupted and not run again.
 * A key belongs to the caller's tenant: the same key from another tenant is an independent call.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnApplicationShutdown {
  /** The calls this replica runs, whose leases it renews (by `tenant/key`: "/" is in no tenant id). */
  private readonly leased = new Map<string, CallKey>();
  private renewer: NodeJS.Timeout | undefined;

  constructor(
    private readonly calls: ToolCallRepository,
    private readonly cancellations: TaskCancellations,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  onModuleInit(): void {
    this.renewer = setInterval(() => void this.renew(), LEASE_RENEW_MS);
    this.renewer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.renewer);
  }

  /**
   * Runs `execute` unless the call is a repeat. `execute` rejects with the error as callers may see it
   * (that is what a repeat gets back).
   */
  async run(
    definition: Pick<Tools.ToolDefinition, 'name' | 'idempotent' | 'timeoutMs'>,
    req: Pick<Tools.ToolCallRequest, 'idempotencyKey' | 'taskId'>,
    caller: Pick<Actor, 'userId' | 'tenantId'>,
    execute: (record?: CallRecord) => Promise<RunResult>,
    once: OnceSettings = {},
  ): Promise<{ result: RunResult; replayed: boolean }> {
    const key = req.idempotencyKey && !definition.idempotent ? req.idempotencyKey : undefined;
    if (!key) {
      await once.admit?.();
      return { result: await execute(), replayed: false };
    }
    const call: CallKey = { tenantId: tenantOf(caller), key };
    const { userId } = caller;
    if (once.completesItsCall) {
      const result = await this.runInOneStatement(call, userId, definition.name, execute, once);
      if (result) return { result, replayed: false };
    }
    const claim = await this.calls.claim(call, userId, definition.name, this.identity.instance);
    if (claim.state !== 'new') {
      const earlier = await this.settle(call, claim, definition, req.taskId, userId, once);
      if (earlier.state === 'failed') throw DomainError.fromBody(earlier.error);
      if (earlier.state === 'completed')
        return { result: { output: earlier.output }, replayed: true };
      // Taken over from a replica that is gone: this one runs it (the tool finds its earlier effect).
    } else await this.admit(call, once);
    const lease = `${call.tenantId}/${key}`;
    this.leased.set(lease, call);
    try {
      const result = await execute();
      await this.calls.complete(call, result.output);
      return { result, replayed: false };
    } catch (e) {
      const error = errorBodyOf(e, 'tool failed unexpectedly');
      await this.calls.fail(call, error).catch(() => undefined);
      throw e;
    } finally {
      this.leased.delete(lease);
    }
  }

  /**
   * Runs a tool that records its call in the statement of its effect: admitted, then run with the
   * record to write. Undefined when it did not run — the admission refused it, or the key was taken
   * before (a repeat; a call under way, or lost with its replica): the claim path then does what it
   * does for any keyed call (answers a repeat from the record, stores a refusal). A call that fails
   * here stored nothing (its one statement did not commit), so running it again is safe.
   */
  private async runInOneStatement(
    call: CallKey,
    userId: string,
    tool: string,
    execute: (record?: CallRecord) => Promise<RunResult>,
    once: OnceSettings,
  ): Promise<RunResult | undefined> {
    try {
      await once.admit?.();
    } catch {
      return undefined;
    }
    const record: CallRecord = { ...call, userId, tool, owner: this.identity.instance };
    const result = await execute(record);
    return record.taken ? undefined : result;
  }

  /** Admits a new keyed call; a refusal is stored as `refused` (not the call's outcome) and thrown. */
  private async admit(call: CallKey, once: OnceSettings): Promise<void> {
    if (!once.admit) return;
    try {
      await once.admit();
    } catch (e) {
      const error = errorBodyOf(e, 'the call could not be admitted', true);
      await this.calls.refuse(call, error).catch(() => undefined);
      throw e;
    }
  }

  private async renew(): Promise<void> {
    if (this.leased.size === 0) return;
    try {
      await this.calls.renew([...this.leased.values()], this.identity.instance);
    } catch (e) {
      this.logger.warn({ err: e, calls: this.leased.size }, 'could not renew tool call leases');
    }
  }

  /**
   * The earlier call's outcome: at once, after waiting for it to finish, interrupted — or `new` when
   * its replica is gone and the tool is keyed: this replica took it over and runs it.
   */
  private async settle(
    call: CallKey,
    claim: Exclude<CallClaim, { state: 'new' }>,
    definition: Pick<Tools.ToolDefinition, 'name' | 'timeoutMs'>,
    taskId: string | undefined,
    userId: string,
    once: OnceSettings,
  ): Promise<Settled | { state: 'new' }> {
    if (claim.state !== 'running') return claim;
    const tool = definition.name;
    // How long it may still run, from the database's measure of how long it has run (one clock for
    // every replica), counted on this replica's clock from now.
    const deadline = Date.now() + definition.timeoutMs + FINISH_GRACE_MS - claim.runningForMs;
    let state: CallClaim = claim;
    const idempotencyKey = call.key;
    if (Date.now() < deadline && !leaseLost(claim)) {
      this.logger.info(
        { tool, idempotencyKey, startedAt: claim.startedAt.toISOString() },
        'waiting for the running call with the same idempotency key',
      );
      state = await this.waitWhileRunning(call, userId, tool, deadline, taskId);
    }
    if (state.state !== 'running' && state.state !== 'new') return state;
    if (once.keyed) {
      if (await this.calls.takeOver(call, this.identity.instance, LEASE_STALE_MS)) {
        this.logger.warn(
          { tool, idempotencyKey, startedAt: claim.startedAt.toISOString() },
          'the replica running this call is gone; running it again under its key',
        );
        return { state: 'new' };
      }
      // Finished just now, or another repeat took it over (a fresh run): wait for that one.
      const now = await this.calls.read(call, userId, tool);
      if (now.state !== 'running') return now;
      if (!leaseLost(now) && now.runningForMs < definition.timeoutMs + FINISH_GRACE_MS)
        return this.settle(call, now, definition, taskId, userId, once);
    }
    // Its replica is gone, or it outlived its timeout: it is not run again.
    const error = new DomainError(
      'CONFLICT',
      `an earlier call of ${tool} with this idempotency key (started ${claim.startedAt.toISOString()}) was interrupted before it finished; ${tool} is not idempotent, so it is not run again — check whether it took effect before calling it anew`,
      { details: { tool, interrupted: true, startedAt: claim.startedAt.toISOString() } },
    ).toBody();
    if (await this.calls.interrupt(call, error)) {
      this.logger.warn(
        { tool, idempotencyKey, startedAt: claim.startedAt.toISOString() },
        'marked an unfinished tool call as interrupted',
      );
      return { state: 'failed', error };
    }
    // It finished (or another repeat marked it) just now: that outcome stands.
    const now = await this.calls.read(call, userId, tool);
    return now.state === 'completed' || now.state === 'failed' ? now : { state: 'failed', error };
  }

  private async waitWhileRunning(
    call: CallKey,
    userId: string,
    tool: string,
    deadline: number,
    taskId: string | undefined,
  ): Promise<CallClaim> {
    let cancelled: string | undefined;
    const unwatch = taskId
      ? this.cancellations.watch(taskId, call.tenantId, (reason) => (cancelled = reason))
      : () => undefined;
    try {
      for (;;) {
        if (cancelled !== undefined) {
          throw new DomainError(
            'CANCELLED',
            `tool ${tool} was cancelled with its task: ${cancelled}`,
          );
        }
        const state = await this.calls.read(call, userId, tool);
        const left = deadline - Date.now();
        if (state.state !== 'running' || left <= 0 || leaseLost(state)) return state;
        await delay(Math.min(POLL_MS, left));
      }
    } finally {
      unwatch();
    }
  }
}

/** Whether the replica running the call stopped renewing its lease (it is gone). */
function leaseLost(claim: Extract<CallClaim, { state: 'running' }>): boolean {
  return claim.leaseAgeMs !== undefined && claim.leaseAgeMs > LEASE_STALE_MS;
}
