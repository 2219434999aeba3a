import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DEFAULT_TENANT, Tenancy } from '@switchboard/contracts';
import {
  counter,
  declareMetrics,
  gauge,
  LOGGER,
  type Logger,
  Metrics,
} from '@switchboard/observability';
import { TenantQuotasService } from '@switchboard/runtime';
import type { Counter } from 'prom-client';
import type { GatewayEnv } from '../config/gateway.env.js';

/** The label of every tenant beyond QUOTA_METRICS_MAX_TENANTS. */
export const OTHER_TENANTS = 'other';
/** A scrape reads the counters once for every quota gauge, at most once a second. */
const SNAPSHOT_MS = 1_000;

const COUNTERS = [
  'runningTasks',
  'tasksLastMinute',
  'tokens',
  'costUsd',
  'toolCalls',
  'delegations',
] as const;

type Snapshot = Tenancy.TenantUsage[];

/**
 * The tenant quotas' Prometheus series, their `tenant` label bounded: the default tenant and the
 * tenants with a quota of their own, in name order, QUOTA_METRICS_MAX_TENANTS at most; every other
 * tenant is `other`. The usage and limit gauges are read from Redis when scraped, so every replica
 * reports the same platform-wide values: aggregate them with max(), not sum() (docs/quotas.md).
 */
@Injectable()
export class QuotaMetrics implements OnModuleInit {
  readonly admitted: Counter<'tenant'>;
  readonly refused: Counter<'tenant' | 'quota' | 'scope'>;
  private named = new Set<string>();
  private snapshot: { at: number; taken: Promise<Snapshot> } | undefined;

  constructor(
    metrics: Metrics,
    private readonly quotas: TenantQuotasService,
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayEnv, 'QUOTA_METRICS_MAX_TENANTS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const read = () => this.read();
    ({ admitted: this.admitted, refused: this.refused } = declareMetrics(metrics.registry, {
      admitted: counter(
        'sb_quota_tasks_admitted_total',
        'Task submissions admitted by the tenant quotas (on this replica), by tenant',
        ['tenant'],
      ),
      refused: counter(
        'sb_quota_refusals_total',
        'Task submissions refused by a tenant quota (on this replica), by tenant, quota and scope (quota "unavailable": Redis unreachable)',
        ['tenant', 'quota', 'scope'],
      ),
      usage: gauge(
        'sb_quota_usage',
        "A tenant's counters now (platform-wide, read from Redis at scrape: every replica reports the same value)",
        ['tenant', 'counter'],
        async (g) => {
          g.reset();
          for (const u of await read())
            for (const counter of COUNTERS)
              g.set({ tenant: u.tenantId, counter }, u.usage[counter]);
        },
      ),
      limit: gauge(
        'sb_quota_limit',
        "A tenant's effective limits (its own quota or the platform default), by quota and scope",
        ['tenant', 'quota', 'scope'],
        async (g) => {
          g.reset();
          for (const u of await read()) {
            const { perUser, ...limits } = u.quota ?? {};
            for (const [quota, v] of Object.entries(limits))
              g.set({ tenant: u.tenantId, quota, scope: 'tenant' }, v);
            for (const [quota, v] of Object.entries(perUser ?? {}))
              g.set({ tenant: u.tenantId, quota, scope: 'user' }, v);
          }
        },
      ),
    }));
  }

  async onModuleInit(): Promise<void> {
    await this.refreshNames();
  }

  /** The tenant's label: its name if it is one of the named tenants, else `other`. */
  tenantLabel(tenantId: string): string {
    return this.named.has(tenantId) ? tenantId : OTHER_TENANTS;
  }

  /** Reads which tenants are named (after a quota change, and at each scrape). */
  async refreshNames(): Promise<void> {
    const max = this.config.QUOTA_METRICS_MAX_TENANTS;
    try {
      const own = await this.quotas.tenantsWithQuota();
      this.named = new Set(
        [DEFAULT_TENANT, ...own.filter((t) => t !== DEFAULT_TENANT)].slice(0, max),
      );
    } catch (e) {
      this.logger.debug(
        { err: e },
        'could not read the tenants with a quota (metrics labels kept)',
      );
    }
  }

  private read(): Promise<Snapshot> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > SNAPSHOT_MS)
      this.snapshot = { at: now, taken: this.take() };
    return this.snapshot.taken;
  }

  /** The named tenants' usage; nothing when Redis cannot answer (the scrape still succeeds). */
  private async take(): Promise<Snapshot> {
    await this.refreshNames();
    const read = await Promise.allSettled([...this.named].map((t) => this.quotas.usage(t)));
    return read.flatMap((r) => (r.status === 'fulfilled' && r.value.metered ? [r.value] : []));
  }
}
