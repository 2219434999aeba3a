import { Tenancy } from '@switchboard/contracts';
import type { Redis } from 'ioredis';
import { dailyArgs, quotaFromHash, quotaToHash, SCALE_OF_QUOTA } from './tenant-quota.codec.js';
import { readUsage } from './tenant-quota.counters.js';
import {
  listenForQuotaChanges,
  type QuotaSubscriber,
  quotaChangesChannel,
} from './tenant-quota.announcements.js';
import { STREAM_SLOTS_KEY, TenantQuotaKeys, utcDay } from './tenant-quota.keys.js';
import { ADMIT_TASK, DAILY, RENEW_TASK } from './tenant-quota.scripts.js';
import { UnlimitedTenants } from './tenant-quota.unlimited.js';
import type {
  DailyAmounts,
  DailyUse,
  QuotaTask,
  QuotaUser,
  QuotaVerdict,
  TenantQuotasOptions,
} from './tenant-quota.types.js';

export { quotaChangesChannel, type QuotaSubscriber } from './tenant-quota.announcements.js';
export { STREAM_SLOTS_KEY, TenantQuotaKeys, utcDay } from './tenant-quota.keys.js';
export { ADMIT_TASK_FUNCTION } from './tenant-quota.scripts.js';
export type * from './tenant-quota.types.js';

/** The adapter's keys under the client's REDIS_KEY_PREFIX: the same in every service. */
export const TENANT_QUOTA_KEY_PREFIX = 'quota:';

type Reply = (string | number)[];
interface QuotaCommands {
  sbQuotaAdmit(...args: (string | number)[]): Promise<Reply>;
  sbQuotaRenew(...args: (string | number)[]): Promise<number>;
  sbQuotaDaily(...args: (string | number)[]): Promise<Reply>;
}

/** A lease in whole milliseconds, at least one. */
const leaseOf = (ms: number): number => Math.max(1, Math.round(ms));
/** Day keys outlive their day by one, so yesterday's counters can still be read after midnight. */
const DAY_TTL_SECONDS = 2 * 86_400;
/** How many tenants' "has a quota" the outage policy remembers (beyond it, it starts over). */
const KNOWN_TENANTS_MAX = 100_000;

/**
 * Per-tenant quotas in Redis, shared by every replica of every service that enforces one (the
 * gateway: tasks; the orchestrator: tokens and cost; mcp-tools: tool calls; a2a: delegations).
 * Quotas are read by every check, so a change applies to the next check everywhere, without restart —
 * except a process that listens (listen) skips the daily checks of tenants known to be unlimited until
 * it hears the change announced (setQuota publishes it in its transaction).
 * See docs/quotas.md for the key layout, the measurements behind Redis, and the outage policy:
 * while Redis is unreachable a tenant under a quota is refused (UPSTREAM_UNAVAILABLE, retryable) and
 * a tenant without one is let through — which of the two a tenant is, each process knows from the
 * replies Redis last gave it and from the index of quotas it reads at every (re)connection.
 */
export class TenantQuotas {
  private readonly keys: TenantQuotaKeys;
  private readonly commands: QuotaCommands;
  private readonly now: () => number;
  /** tenant → has a quota of its own, as Redis last said. */
  private readonly known = new Map<string, boolean>();
  /** Whether the platform default exists, as Redis last said (undefined: never reached). */
  private platformDefined: boolean | undefined;
  private outage = false;
  /** Tenants whose daily checks are skipped: no quota applies, as heard recently (listen). */
  private readonly unlimited: UnlimitedTenants;

  constructor(
    private readonly redis: Redis,
    private readonly options: TenantQuotasOptions,
  ) {
    this.keys = new TenantQuotaKeys(options.keyPrefix);
    this.now = options.now ?? Date.now;
    this.unlimited = new UnlimitedTenants(options.unlimitedTtlMs ?? 30_000, this.now);
    redis.defineCommand('sbQuotaAdmit', { numberOfKeys: 7, lua: ADMIT_TASK });
    redis.defineCommand('sbQuotaRenew', { numberOfKeys: 2, lua: RENEW_TASK });
    redis.defineCommand('sbQuotaDaily', { numberOfKeys: 5, lua: DAILY });
    this.commands = redis as unknown as QuotaCommands;
    // What the outage policy needs to know, read again at every (re)connection.
    redis.on('ready', () => void this.loadIndex().catch(() => undefined));
    if (redis.status === 'ready') void this.loadIndex().catch(() => undefined);
  }

  /**
   * Admits a task against the tenant's and the user's `concurrentTasks` and `tasksPerMinute` in one
   * atomic step. An admitted task holds a running slot until releaseTask, or until its lease lapses
   * (a crashed service's tasks free their slots by themselves); renewTask extends it.
   */
  async admitTask(t: QuotaTask & { leaseMs: number }): Promise<QuotaVerdict> {
    const verdict = await this.guarded(t.tenantId, async () => {
      const { keys, args } = this.admissionCall(t);
      return this.admissionVerdict(t, await this.commands.sbQuotaAdmit(...keys, ...args));
    });
    return verdict ?? { ok: true, metered: false };
  }

  /**
   * The keys and arguments of `admit_task` (ADMIT_TASK_FUNCTION) for a service that runs the
   * admission inside a script of its own, under `guarded`; its reply goes to admissionVerdict.
   */
  admissionCall(t: QuotaTask & { leaseMs: number }): {
    keys: string[];
    args: (string | number)[];
  } {
    const k = this.keys;
    const day = utcDay(this.now()).key;
    const { tenantId, userId } = t;
    const keys = [
      ...[k.quota(tenantId), k.platform],
      ...[k.running(tenantId), k.running(tenantId, userId)],
      ...[k.started(tenantId), k.started(tenantId, userId)],
      k.users(day, tenantId),
    ];
    const retry = this.options.concurrencyRetryAfterSeconds ?? 5;
    return { keys, args: [t.taskId, leaseOf(t.leaseMs), userId, retry, DAY_TTL_SECONDS] };
  }

  /** The verdict of `admit_task`'s reply; what it says of the tenant's quota is remembered (outages). */
  admissionVerdict(who: QuotaUser, reply: (string | number)[]): QuotaVerdict {
    return this.verdict(who, reply, (r) => Number(r[6]), 1);
  }

  /**
   * Extends a running task's lease. False when its slot is gone (released, or lapsed: it is not put
   * back) or Redis cannot be reached. Never throws.
   */
  async renewTask(t: QuotaTask & { leaseMs: number }): Promise<boolean> {
    const k = this.keys;
    try {
      const keys = [k.running(t.tenantId), k.running(t.tenantId, t.userId)];
      const renewed = await this.commands.sbQuotaRenew(...keys, t.taskId, leaseOf(t.leaseMs));
      return renewed === 1;
    } catch (e) {
      this.unreachable(e);
      return false;
    }
  }

  /**
   * Frees a task's running slot, and the stream slot of the gateway session that submitted it (named
   * by the task id: the session leaves it to the task's end, STREAM_SLOTS_KEY): idempotent, one round
   * trip, never throws (a release lost to an outage is mended by the leases). Its start stays counted
   * in tasksPerMinute.
   */
  async releaseTask(t: QuotaTask): Promise<void> {
    try {
      const results = await this.redis
        .pipeline()
        .zrem(this.keys.running(t.tenantId), t.taskId)
        .zrem(this.keys.running(t.tenantId, t.userId), t.taskId)
        .zrem(STREAM_SLOTS_KEY(t.userId), t.taskId)
        .exec();
      const failed = results?.find(([err]) => err)?.[0];
      if (failed) throw failed;
    } catch (e) {
      this.unreachable(e);
    }
  }

  /** Whether `amount` is left today (0: whether anything is), counting nothing. */
  checkDaily(use: Omit<DailyUse, 'amount'> & { amount?: number }): Promise<QuotaVerdict> {
    return this.daily(use, { [use.kind]: use.amount ?? 0 }, 'check');
  }

  /**
   * Whether anything is left today of each kind, counting nothing: one round trip for all of them (the
   * orchestrator's check before a planning round: tokens and cost). The refusal names the first kind
   * (in the order given) that is used up.
   */
  checkDailyAll(who: QuotaUser, kinds: readonly Tenancy.DailyKind[]): Promise<QuotaVerdict> {
    return this.daily(who, Object.fromEntries(kinds.map((kind) => [kind, 0])), 'check');
  }

  /** Takes `amount` only if it is left today: for a call about to be made (a tool call, a delegation). */
  consumeDaily(use: DailyUse): Promise<QuotaVerdict> {
    return this.daily(use, { [use.kind]: use.amount }, 'consume');
  }

  /**
   * Counts what was spent anyway (an LLM call's tokens and cost); refused once nothing is left today,
   * so the caller stops spending (the orchestrator: BUDGET_EXCEEDED naming the quota).
   */
  chargeDaily(use: DailyUse): Promise<QuotaVerdict> {
    return this.daily(use, { [use.kind]: use.amount }, 'charge');
  }

  /** chargeDaily of several kinds in one round trip (a planning round's tokens and cost). */
  chargeDailyAll(who: QuotaUser, amounts: DailyAmounts): Promise<QuotaVerdict> {
    return this.daily(who, amounts, 'charge');
  }

  private async daily(
    who: QuotaUser,
    amounts: DailyAmounts,
    mode: 'check' | 'consume' | 'charge',
  ): Promise<QuotaVerdict> {
    const k = this.keys;
    const perKind = dailyArgs(amounts);
    if (perKind.length === 0) return { ok: true, metered: false }; // nothing to count
    // Known to be unlimited: the script would count nothing and say yes, so it is not asked.
    if (this.unlimited.has(who.tenantId)) return { ok: true, metered: false };
    const asked = this.unlimited.ask();
    const day = utcDay(this.now());
    const verdict = await this.guarded(who.tenantId, async () => {
      const { tenantId, userId } = who;
      const keys = [
        ...[k.quota(tenantId), k.platform],
        ...[k.day(day.key, tenantId), k.day(day.key, tenantId, userId)],
        k.users(day.key, tenantId),
      ];
      const reply = await this.commands.sbQuotaDaily(
        ...keys,
        ...[mode, DAY_TTL_SECONDS, userId],
        ...perKind,
      );
      if (Number(reply[1]) === 0) this.unlimited.learn(tenantId, asked);
      const untilMidnight = Math.ceil((day.resetsAt.getTime() - this.now()) / 1000);
      return this.verdict(who, reply, () => untilMidnight, SCALE_OF_QUOTA[String(reply[2])] ?? 1);
    });
    return verdict ?? { ok: true, metered: false };
  }

  /** A script's reply as a verdict; what it says of the quota's source is remembered for outages. */
  private verdict(
    who: QuotaUser,
    reply: Reply,
    retryAfter: (reply: Reply) => number,
    scale: number,
  ): QuotaVerdict {
    const source = Number(reply[1]);
    this.learn(who.tenantId, source);
    if (Number(reply[0]) === 1) return { ok: true, metered: source !== 0 };
    const scope = Tenancy.QuotaScope.parse(reply[3]);
    return {
      ok: false,
      refusal: {
        quota: Tenancy.QuotaName.parse(reply[2]),
        scope,
        tenantId: who.tenantId,
        ...(scope === 'user' ? { userId: who.userId } : {}),
        limit: Number(reply[4]) / scale,
        used: Number(reply[5]) / scale,
        retryAfterSeconds: Math.max(1, retryAfter(reply)),
      },
    };
  }

  /**
   * Runs a check; when Redis cannot answer, refuses a tenant under a quota (UPSTREAM_UNAVAILABLE) and
   * lets any other through uncounted (undefined) — a quota is a cost control, an outage of it is no
   * reason to stop tenants nobody limits.
   */
  async guarded<T>(tenantId: string, check: () => Promise<T>): Promise<T | undefined> {
    let failure: unknown;
    if (this.redis.status === 'ready') {
      try {
        const verdict = await check();
        if (this.outage) this.options.logger?.info({}, 'quota counters reachable again');
        this.outage = false;
        return verdict;
      } catch (e) {
        failure = e;
      }
    } else failure = new Error(`Redis connection ${this.redis.status}`);
    this.unreachable(failure);
    if (this.underQuota(tenantId)) throw Tenancy.quotaUnavailableError(tenantId, failure);
    return undefined;
  }

  /** Logs an outage once, when it begins. */
  private unreachable(failure: unknown): void {
    if (!this.outage)
      this.options.logger?.warn(
        { err: failure },
        'quota counters unreachable (Redis): tenants under a quota are refused, others let through uncounted',
      );
    this.outage = true;
  }

  /** Whether the tenant was under a quota when Redis last said. */
  underQuota(tenantId: string): boolean {
    return this.platformDefined === true || this.known.get(tenantId) === true;
  }

  /**
   * Whether Redis said less than `unlimitedTtlMs` ago that no quota applies to the tenant (neither its
   * own nor a platform default), and no change was announced since: its daily checks are skipped.
   * False for a tenant not heard of yet (unknown is not free), and always without `listen`.
   */
  knownUnlimited(tenantId: string): boolean {
    return this.unlimited.has(tenantId);
  }

  /**
   * Hears quota changes on `subscriber` (a connection of its own: ioredis'
   * `duplicate({ autoResubscribe: false })`), which lets daily checks be skipped for tenants known to
   * be unlimited (knownUnlimited). Returns what stops listening.
   */
  listen(subscriber: QuotaSubscriber): () => void {
    const { logger } = this.options;
    return listenForQuotaChanges(subscriber, this.changesChannel, this.unlimited, logger);
  }

  private learn(tenantId: string, source: number): void {
    if (this.known.size >= KNOWN_TENANTS_MAX && !this.known.has(tenantId)) this.known.clear();
    this.known.set(tenantId, source === 1);
    if (source !== 1) this.platformDefined = source === 2;
  }

  /** Reads which tenants have a quota and whether the platform default exists (for outages). */
  async loadIndex(): Promise<void> {
    const [tenants, platform] = await Promise.all([
      this.redis.smembers(this.keys.tenants),
      this.redis.exists(this.keys.platform),
    ]);
    const had = this.platformDefined === true || [...this.known.values()].some(Boolean);
    for (const [tenant, has] of this.known) if (has) this.known.set(tenant, false);
    for (const tenant of tenants) this.known.set(tenant, true);
    this.platformDefined = platform === 1;
    if (had && tenants.length === 0 && !this.platformDefined)
      this.options.logger?.warn(
        {},
        'every tenant quota is gone from Redis (restarted without persistence?): nothing is limited until they are set again; run Redis with appendonly (docs/quotas.md)',
      );
  }

  /** The quota that applies to a tenant (its own, else the platform's), or the platform's for '*'. */
  async effectiveQuota(tenantId: string): Promise<Tenancy.TenantQuotaView> {
    const [own, platform] = await Promise.all([
      tenantId === Tenancy.PLATFORM_QUOTA ? null : this.ownQuota(tenantId),
      this.ownQuota(Tenancy.PLATFORM_QUOTA),
    ]);
    if (own) return { tenantId, quota: own, source: 'tenant' };
    if (platform) return { tenantId, quota: platform, source: 'platform' };
    return { tenantId, quota: null, source: 'none' };
  }

  /** The tenant's own quota ('*': the platform default), or null. */
  async ownQuota(tenantId: string): Promise<Tenancy.TenantQuota | null> {
    return quotaFromHash(await this.redis.hgetall(this.quotaKey(tenantId)));
  }

  /**
   * Sets (or with null removes) a tenant's own quota or, for '*', the platform default, and announces
   * it to every process (listen) in the same transaction: a change cannot commit unannounced.
   */
  async setQuota(tenantId: string, quota: Tenancy.TenantQuota | null): Promise<void> {
    const key = this.quotaKey(tenantId);
    const tx = this.redis.multi().del(key);
    if (quota) tx.hset(key, quotaToHash(quota));
    if (tenantId !== Tenancy.PLATFORM_QUOTA) {
      if (quota) tx.sadd(this.keys.tenants, tenantId);
      else tx.srem(this.keys.tenants, tenantId);
    }
    tx.publish(this.changesChannel, tenantId);
    await tx.exec();
    this.unlimited.forget(tenantId);
    if (tenantId === Tenancy.PLATFORM_QUOTA) this.platformDefined = quota !== null;
    else this.known.set(tenantId, quota !== null);
  }

  /** The tenants with a quota of their own, sorted. */
  async tenantsWithQuota(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.tenants)).sort();
  }

  /** Where setQuota announces a change (quotaChangesChannel). */
  get changesChannel(): string {
    return quotaChangesChannel(this.redis, this.options.keyPrefix);
  }

  private quotaKey(tenantId: string): string {
    return tenantId === Tenancy.PLATFORM_QUOTA ? this.keys.platform : this.keys.quota(tenantId);
  }

  /**
   * A tenant's quota and counters now: its totals and, as asked, its users' (`all`: every user
   * counted today, at most `maxUsers`). Two round trips; refused with UPSTREAM_UNAVAILABLE while
   * Redis is unreachable.
   */
  usage(tenantId: string, opts: { users?: 'all' | string[] } = {}): Promise<Tenancy.TenantUsage> {
    return readUsage(
      {
        redis: this.redis,
        keys: this.keys,
        now: this.now(),
        maxUsers: this.options.maxUsers ?? 1_000,
        quota: () => this.effectiveQuota(tenantId),
      },
      tenantId,
      opts,
    );
  }
}
