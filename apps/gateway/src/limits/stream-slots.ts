import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { Actor, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { OptionalRedis, STREAM_SLOTS_KEY } from '@switchboard/runtime';
import { randomUUID } from 'node:crypto';
import type { Gauge } from 'prom-client';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { rateLimited } from './rate-limiter.js';

/**
 * A slot's release while Redis has not answered it: it settles (never rejects) once the slot is free
 * for every replica. Undefined when there is nothing to wait for: no cap, a slot let go before (its
 * first release is returned again), or one the orchestrator frees (`taskEnded`).
 */
export type SlotFreeing = Promise<void> | undefined;

/** A held stream slot; `release` and `taskEnded` are idempotent (the first of them counts). */
export interface StreamSlot {
  /**
   * Frees the slot at once (the client went away, the wait ended, the edge closed it). An edge that
   * answers its client after this ends the response once the release has settled: a client that has
   * read the end may open its next stream at once, on any replica.
   */
  release(): SlotFreeing;
  /**
   * The task the slot streams ended (its terminal event was seen): a slot named by the task, taken at
   * its admission, was freed by the orchestrator with the task's running slot (TenantQuotas
   * .releaseTask) before it published that event, so only this replica's hold goes (nothing to wait
   * for); any other slot is released.
   */
  taskEnded(): SlotFreeing;
}

/**
 * Admits stream slots of one user atomically: drops expired leases, then adds each new slot while the
 * user holds fewer than the cap. Replies 1 (admitted) or 0 (refused) per slot, in order.
 * KEYS[1] the user's set; ARGV: now, lease expiry, lease ms, cap, slot ids…
 */
const ACQUIRE_SCRIPT = `
local key = KEYS[1]
local max = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
local count = redis.call('ZCARD', key)
local admitted = {}
for i = 5, #ARGV do
  if count < max then
    redis.call('ZADD', key, ARGV[2], ARGV[i])
    count = count + 1
    admitted[#admitted + 1] = 1
  else
    admitted[#admitted + 1] = 0
  end
end
redis.call('PEXPIRE', key, ARGV[3])
return admitted
`;

const ACQUIRE_COMMAND = 'sbStreamAcquire';
type AcquireCommand = Record<typeof ACQUIRE_COMMAND, (...args: (string | number)[]) => unknown>;

interface Admission {
  id: string;
  settle: (admitted: boolean) => void;
}

/**
 * Caps the event streams one user holds open across every replica. Each open stream is a member of
 * the user's sorted set in Redis, scored with its lease expiry; this replica renews the leases of its
 * streams in one pipeline, so the slots of a crashed replica expire by themselves after STREAM_LEASE_MS.
 *
 * Slots taken and freed in the same turn of the event loop go to Redis together — one pipeline, one
 * script call per user for the admissions and one ZREM per user for the releases — so that 2,000
 * streams opening or ending at once (a deploy, a task that ends with many watchers) cost a handful of
 * Redis round trips instead of one each. A release settles when its pipeline is answered: the edges
 * end their responses after it (no round trip more, one later), so the slot is free before the client
 * can ask again — on another replica too, whose admission no ordering of this one's commands covers.
 */
@Injectable()
export class StreamSlots implements OnModuleDestroy {
  private readonly held = new Map<string, string>(); // slot id → user key
  private readonly renewal: NodeJS.Timeout;
  private admitting = new Map<string, Admission[]>(); // user key → waiting admissions
  private releasing = new Map<string, string[]>(); // user key → freed slot ids
  private freed: (() => void)[] = []; // the releases queued, settled with their pipeline
  private flushPending = false;
  private readonly gauges = new Map<string, Gauge.Internal<'kind'>>();

  constructor(
    private readonly redis: OptionalRedis,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // EVALSHA: the script's text goes to Redis once per connection, not with every batch.
    redis.defineCommand(ACQUIRE_COMMAND, { numberOfKeys: 1, lua: ACQUIRE_SCRIPT });
    this.renewal = setInterval(() => void this.renew(), Math.floor(config.STREAM_LEASE_MS / 3));
    this.renewal.unref();
  }

  /** The cap on a user's open streams (MAX_STREAMS_PER_USER; 0: none) and their lease. */
  get cap(): { max: number; leaseMs: number } {
    return { max: this.config.MAX_STREAMS_PER_USER, leaseMs: this.config.STREAM_LEASE_MS };
  }

  async acquire(actor: Actor, kind: string): Promise<StreamSlot> {
    const id = randomUUID();
    const key = STREAM_SLOTS_KEY(actor.userId);
    if (this.cap.max > 0 && !(await this.admit(key, id))) throw this.refusal();
    return this.hold(id, key, kind, false);
  }

  /**
   * A slot a task's admission took in Redis (TaskAdmission: named by the task id, in the same script),
   * held and renewed here like any other.
   */
  adopt(actor: Actor, kind: string, taskId: string): StreamSlot {
    return this.hold(taskId, STREAM_SLOTS_KEY(actor.userId), kind, true);
  }

  /** The user holds as many streams as the cap allows: 429 naming `streams`, counted. */
  refusal(): DomainError {
    this.metrics.limited.inc({ limit: 'streams' });
    return rateLimited(
      `at most ${this.cap.max} event streams may be open at once; close one first`,
      5,
      'streams',
    );
  }

  private hold(id: string, key: string, kind: string, namedByTask: boolean): StreamSlot {
    this.held.set(id, key);
    const gauge = this.gaugeOf(kind);
    gauge.inc();
    let done = false;
    let freeing: SlotFreeing;
    const letGo = (freedInRedis: boolean): SlotFreeing => {
      if (done) return freeing;
      done = true;
      this.held.delete(id);
      gauge.dec();
      if (this.cap.max > 0 && !freedInRedis) freeing = this.free(key, id);
      return freeing;
    };
    return { release: () => letGo(false), taskEnded: () => letGo(namedByTask) };
  }

  /** Frees the slot in Redis (queued with the others of this turn); settles once Redis has answered. */
  private free(key: string, id: string): Promise<void> {
    return new Promise((settle) => {
      this.queue(this.releasing, key, id);
      this.freed.push(settle);
    });
  }

  /** Whether Redis admits the slot (queued with the others of this turn of the event loop). */
  private admit(key: string, id: string): Promise<boolean> {
    return new Promise((settle) => this.queue(this.admitting, key, { id, settle }));
  }

  private queue<T>(batches: Map<string, T[]>, key: string, item: T): void {
    const batch = batches.get(key);
    if (batch) batch.push(item);
    else batches.set(key, [item]);
    if (!this.flushPending) {
      this.flushPending = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Sends what this turn of the event loop queued: releases first, so admissions can reuse them. */
  private async flush(): Promise<void> {
    this.flushPending = false;
    const admitting = this.admitting;
    const releasing = this.releasing;
    const freed = this.freed;
    if (admitting.size === 0 && releasing.size === 0) return;
    this.admitting = new Map();
    this.releasing = new Map();
    this.freed = [];
    if (!this.redis.available) {
      // Same policy as the rate limiter: a Redis outage does not close the API (logged once by
      // OptionalRedis); the releases are moot, the leases of slots taken before expire by themselves.
      for (const batch of admitting.values()) for (const a of batch) a.settle(true);
      for (const settle of freed) settle();
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const [key, ids] of releasing) {
      for (const part of chunks(ids)) pipeline.zrem(key, ...part);
    }
    const now = Date.now();
    const lease = this.config.STREAM_LEASE_MS;
    const max = this.config.MAX_STREAMS_PER_USER;
    const batches = [...admitting.entries()].map(([key, batch]) => {
      const at = pipeline.length; // where its reply will be
      const ids = batch.map((a) => a.id);
      (pipeline as unknown as AcquireCommand)[ACQUIRE_COMMAND](
        key,
        now,
        now + lease,
        lease,
        max,
        ...ids,
      );
      return { batch, at };
    });
    let results: [Error | null, unknown][] | null = null;
    let failure: unknown;
    try {
      results = await pipeline.exec();
    } catch (e) {
      failure = e;
    }
    // Freed, or lost to an outage (then the leases free them): either way nothing more to wait for.
    for (const settle of freed) settle();
    let unavailable = false;
    for (const { batch, at } of batches) {
      const [err, reply] = results?.[at] ?? [failure, undefined];
      if (err || !Array.isArray(reply)) {
        // Same policy as the rate limiter: a Redis outage does not close the API.
        unavailable = true;
        failure ??= err;
        for (const a of batch) a.settle(true);
      } else {
        batch.forEach((a, j) => a.settle(reply[j] !== 0));
      }
    }
    if (unavailable) {
      this.logger.debug({ err: failure }, 'stream slots unavailable (Redis); streams let through');
    }
  }

  private gaugeOf(kind: string): Gauge.Internal<'kind'> {
    let gauge = this.gauges.get(kind);
    if (!gauge) this.gauges.set(kind, (gauge = this.metrics.openStreams.labels({ kind })));
    return gauge;
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0 || this.config.MAX_STREAMS_PER_USER === 0 || !this.redis.available)
      return;
    const expiry = Date.now() + this.config.STREAM_LEASE_MS;
    const byKey = new Map<string, string[]>();
    for (const [id, key] of this.held) {
      const ids = byKey.get(key);
      if (ids) ids.push(id);
      else byKey.set(key, [id]);
    }
    const pipeline = this.redis.pipeline();
    for (const [key, ids] of byKey) {
      for (const part of chunks(ids))
        pipeline.zadd(key, 'XX', ...part.flatMap((id) => [expiry, id]));
      pipeline.pexpire(key, this.config.STREAM_LEASE_MS);
    }
    await pipeline
      .exec()
      .catch((e: unknown) => this.logger.debug({ err: e }, 'could not renew stream slots'));
  }

  onModuleDestroy(): void {
    clearInterval(this.renewal);
    // Slots freed in the last moments go to Redis now, not after the client has quit.
    if (this.flushPending) void this.flush();
  }
}

/** At most 1,000 members per command, so that no single command holds Redis up for long. */
function* chunks<T>(items: T[], size = 1_000): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
