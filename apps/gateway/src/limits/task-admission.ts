import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isDomainError, Tenancy, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { OptionalRedis, STREAM_SLOTS_KEY, TenantQuotasService } from '@switchboard/runtime';
import type { GatewayEnv } from '../config/gateway.env.js';
import { ownerRecord } from '../tasks/task-owners.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { QuotaMetrics } from './quota.metrics.js';
import { type DeferredRateCharge, RequestRateLimiter } from './rate-limiter.js';
import { type StreamSlot, StreamSlots } from './stream-slots.js';
import { TASK_ADMISSION } from './task-admission.script.js';

/** What a task's admission takes besides its quota slot and its owner record. */
export interface AdmissionHolds {
  /** The request's rate-limit charge, when its route left it to the admission. */
  rate?: DeferredRateCharge | undefined;
  /** The stream slot of the session that submits the task, labelled with its kind. */
  slot?: string | undefined;
}

const COMMAND = 'sbTaskAdmit';
type AdmitCommand = Record<typeof COMMAND, (...args: (string | number)[]) => Promise<unknown[]>>;

/**
 * Admits every new task before it is submitted, on every surface (SubmitTaskUseCase calls it), in one
 * script and one round trip (TASK_ADMISSION): the request's rate window (when its route left it
 * here), the submitting session's stream slot (named by the task id, so the orchestrator frees it
 * with the task's running slot), the tenant's quotas (concurrentTasks, tasksPerMinute; the tenant's
 * and the user's) and the task's owner record. A refusal is RATE_LIMITED (429 with Retry-After;
 * details name the limit or the quota), UPSTREAM_UNAVAILABLE (503) while Redis is unreachable for a
 * tenant under a quota; any other tenant is then let through with nothing counted, as each limit
 * alone did. The slot is freed by the orchestrator when the task ends (releaseTask), by `release`
 * when the submission fails, or by its lease (QUOTA_TASK_LEASE_MS).
 */
@Injectable()
export class TaskAdmission {
  constructor(
    private readonly quotas: TenantQuotasService,
    private readonly redis: OptionalRedis,
    private readonly limiter: RequestRateLimiter,
    private readonly slots: StreamSlots,
    private readonly metrics: QuotaMetrics,
    private readonly gatewayMetrics: GatewayMetrics,
    @Inject(APP_CONFIG)
    private readonly config: Pick<GatewayEnv, 'QUOTA_TASK_LEASE_MS' | 'TASK_OWNER_TTL_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // EVALSHA: the script's text goes to Redis once per connection.
    redis.defineCommand(COMMAND, { numberOfKeys: 10, lua: TASK_ADMISSION });
  }

  /** Admits the task, or throws the refusal; the stream slot taken when `holds.slot` asked for one. */
  async admit(
    actor: Actor,
    taskId: string,
    holds: AdmissionHolds = {},
  ): Promise<StreamSlot | undefined> {
    const tenant = this.metrics.tenantLabel(tenantOf(actor));
    const task = { tenantId: tenantOf(actor), userId: actor.userId, taskId };
    let reply: unknown[] | undefined;
    try {
      reply = await this.quotas.guarded(task.tenantId, () => this.send(actor, taskId, holds));
    } catch (e) {
      if (isDomainError(e))
        this.metrics.refused.inc({ tenant, quota: 'unavailable', scope: 'tenant' });
      throw e;
    }
    const [kind, detail] = reply ?? ['ok'];
    if (kind === 'rate') throw this.limiter.refusal(retryAfter(Number(reply?.[2])));
    if (kind === 'streams') throw this.slots.refusal();
    const verdict = detail
      ? this.quotas.admissionVerdict(task, detail as (string | number)[])
      : { ok: true as const, metered: false };
    if (!verdict.ok) {
      const { refusal } = verdict;
      this.metrics.refused.inc({ tenant, quota: refusal.quota, scope: refusal.scope });
      this.gatewayMetrics.limited.inc({ limit: 'quota' });
      this.logger.info({ taskId, ...refusal }, 'task refused by a tenant quota');
      throw Tenancy.quotaExceededError(refusal);
    }
    this.metrics.admitted.inc({ tenant });
    return holds.slot ? this.slots.adopt(actor, holds.slot, taskId) : undefined;
  }

  /** Gives the slot back (a submission that failed after it was admitted); never throws. */
  release(actor: Actor, taskId: string): Promise<void> {
    return this.quotas.releaseTask({ tenantId: tenantOf(actor), userId: actor.userId, taskId });
  }

  private send(actor: Actor, taskId: string, holds: AdmissionHolds): Promise<unknown[]> {
    const { keys, args } = this.quotas.admissionCall({
      tenantId: tenantOf(actor),
      userId: actor.userId,
      taskId,
      leaseMs: this.config.QUOTA_TASK_LEASE_MS,
    });
    const rate = holds.rate?.take() ? this.limiter.windowOf(actor) : undefined;
    const cap = holds.slot ? this.slots.cap : { max: 0, leaseMs: 0 };
    const owner = ownerRecord(taskId, actor, this.config.TASK_OWNER_TTL_MS);
    return (this.redis as unknown as AdmitCommand)[COMMAND](
      ...keys,
      ...[rate?.key ?? this.limiter.windowOf(actor).key, STREAM_SLOTS_KEY(actor.userId), owner.key],
      ...args,
      ...[rate?.points ?? 0, rate?.durationSeconds ?? 0],
      ...[Date.now(), cap.leaseMs, cap.max],
      ...[owner.value, owner.ttlMs],
    );
  }
}

/** Seconds until a rate window ends (its TTL in ms), at least one. */
const retryAfter = (ttlMs: number): number => Math.max(1, Math.ceil(ttlMs / 1000));
