import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EventContract } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { z } from 'zod';
import type { BusSubscription } from './bus-subscription.js';
import type { NatsBus } from './nats-bus.service.js';

/** An announcement of a change: a payload naming its tenant, on a subject without tokens. */
type ChangeEvent = EventContract<z.ZodType<{ tenantId: string }>, readonly []>;

export interface TenantCopiesOptions<E extends ChangeEvent> {
  /** The change's announcement: core NATS, heard by every replica (no queue group). */
  event: E;
  /** Whether an announcement is about these copies (when several kinds share its event). */
  concerns?: (change: z.infer<E['payload']>) => boolean;
  /** How long a copy is served at most; 0 keeps none (every `get` reads). */
  ttlMs: number;
  /** What is kept, and the setting of `ttlMs`: the warning of an announcement not sent names them. */
  what: string;
  ttlSetting: string;
  /** Tenants kept at most; past that the least recently read copy goes. */
  maxTenants?: number;
  now?: () => number;
}

interface Entry<T> {
  /** The read under way or done: callers that come while it runs share it. */
  value: Promise<T>;
  expiresAt: number;
}

/**
 * Something each tenant has that every task needs and that changes only when an admin changes it
 * (approval policy overrides, the default agent, scoring and dataset rules), kept in this replica's
 * memory: read once per tenant, then served from here until it changes. The replica that writes a
 * change drops its own copy and announces it after the write committed; every replica hears the
 * announcement and drops that tenant's copy, so the next read anywhere sees the change. A read under
 * way when the announcement arrives is not kept (it may predate the change); a failed read is not
 * kept either. A replica that missed the announcement (a lost message, a reconnect) serves its copy
 * for `ttlMs` at most.
 */
export abstract class TenantCopies<T, E extends ChangeEvent>
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly entries = new Map<string, Entry<T>>();
  private subscription: BusSubscription | undefined;

  protected constructor(
    private readonly bus: NatsBus,
    private readonly log: Logger,
    private readonly options: TenantCopiesOptions<E>,
  ) {}

  /** The tenant's value as the store of record has it. */
  protected abstract read(tenantId: string): Promise<T>;

  /** Subscribed before the service takes calls, so no change announced after that is missed. */
  async onModuleInit(): Promise<void> {
    const { event, concerns } = this.options;
    this.subscription = this.bus.subscribe(event, (change) => {
      if (!concerns || concerns(change)) this.drop(change.tenantId);
    });
    await this.subscription.ready;
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** The tenant's value: this replica's copy, or read now (and kept). */
  get(tenantId: string): Promise<T> {
    const now = this.options.now?.() ?? Date.now();
    const kept = this.entries.get(tenantId);
    if (kept && kept.expiresAt > now) return kept.value;
    const { ttlMs } = this.options;
    const entry: Entry<T> = { value: this.read(tenantId), expiresAt: now + ttlMs };
    this.entries.delete(tenantId);
    if (ttlMs <= 0) return entry.value;
    entry.value.catch(() => {
      if (this.entries.get(tenantId) === entry) this.entries.delete(tenantId);
    });
    this.entries.set(tenantId, entry);
    if (this.entries.size > (this.options.maxTenants ?? 10_000)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry.value;
  }

  /**
   * The tenant's value was just changed (committed) here: this replica's copy goes at once, and every
   * other replica is told to drop theirs. An announcement that cannot be sent is logged; the other
   * replicas' copies then expire on their own.
   */
  changed(change: z.input<E['payload']> & { tenantId: string }): void {
    this.drop(change.tenantId);
    try {
      this.bus.publish(this.options.event, [] as never, change);
    } catch (e) {
      this.log.warn(
        { err: e, tenantId: change.tenantId },
        `could not announce a change of ${this.options.what} to the other replicas; their copies expire within ${this.options.ttlSetting}`,
      );
    }
  }

  /** Forgets the tenant's copy: a read under way is not kept either (it may predate the change). */
  drop(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}
