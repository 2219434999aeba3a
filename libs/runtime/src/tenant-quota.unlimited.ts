import { Tenancy } from '@switchboard/contracts';

/** How many unlimited tenants a process remembers (beyond it, it starts over). */
const REMEMBERED_MAX = 100_000;

/** Taken before asking Redis: the answer is kept only if nothing was forgotten meanwhile. */
export interface UnlimitedAsk {
  epoch: number;
  at: number;
}

/**
 * The tenants a process knows no quota applies to (neither their own nor the platform default), as
 * Redis said less than `ttlMs` ago: their daily checks can be skipped, since nothing would be counted
 * for them either (docs/quotas.md, "What a check costs"). Trusted only while quota changes are heard:
 * every change is announced in the transaction that makes it (TenantQuotas.setQuota), and hearing one
 * forgets the tenant (the platform default's: everyone). While the subscription is not confirmed —
 * before it, after a disconnection — nothing is remembered: announcements may have been missed.
 */
export class UnlimitedTenants {
  /** tenant → when the check that found it unlimited was sent. */
  private readonly since = new Map<string, number>();
  /** Bumped by every forgetting: an answer asked for before it may predate the change announced. */
  private epoch = 0;
  private listening = false;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Whether the tenant is known to be unlimited now (a check for it may be skipped). */
  has(tenantId: string): boolean {
    const at = this.since.get(tenantId);
    if (at === undefined) return false;
    if (this.listening && this.now() - at < this.ttlMs) return true;
    this.since.delete(tenantId);
    return false;
  }

  /** To call just before a check is sent; its answer goes to `learn` with this. */
  ask(): UnlimitedAsk {
    return { epoch: this.epoch, at: this.now() };
  }

  /**
   * Redis answered the check asked for at `asked` that no quota applies to the tenant. Kept only if
   * changes are heard and none was heard since it was sent: the reply and an announcement arrive on two
   * connections, so a change made just after the check ran may be heard before the check's reply.
   */
  learn(tenantId: string, asked: UnlimitedAsk): void {
    if (!this.listening || this.ttlMs <= 0 || asked.epoch !== this.epoch) return;
    if (this.since.size >= REMEMBERED_MAX && !this.since.has(tenantId)) this.since.clear();
    this.since.set(tenantId, asked.at);
  }

  /** A change of the tenant's quota (of everyone's, for the platform default: PLATFORM_QUOTA). */
  forget(tenantId: string): void {
    this.epoch++;
    if (tenantId === Tenancy.PLATFORM_QUOTA) this.since.clear();
    else this.since.delete(tenantId);
  }

  /** Whether changes are heard from now on (a confirmed subscription) or not; forgets everything. */
  setListening(listening: boolean): void {
    this.epoch++;
    this.since.clear();
    this.listening = listening;
  }

  get isListening(): boolean {
    return this.listening;
  }
}
