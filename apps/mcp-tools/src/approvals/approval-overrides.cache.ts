import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { createHash } from 'node:crypto';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import {
  type ApprovalPolicyOverride,
  ApprovalPolicyRepository,
} from './approval-policy.repository.js';

/** A tenant's overrides in force, by tool, and a fingerprint of them (part of a cached manifest's key). */
export interface ApprovalOverrides {
  byTool: ReadonlyMap<string, ApprovalPolicyOverride>;
  version: string;
}

/** Tenants whose overrides are kept at most; past that the oldest copy goes (read again when needed). */
const MAX_TENANTS = 10_000;

interface Entry {
  /** The read under way or done: callers that come while it runs share it. */
  overrides: Promise<ApprovalOverrides>;
  expiresAt: number;
}

/**
 * Each tenant's approval policy overrides, kept in this replica's memory: a task's manifest and each
 * of its tool calls need them, and they change only when an admin sets one. Read from PostgreSQL once
 * per tenant, then served from here until the tenant's overrides change — the replica that writes
 * a change drops its own copy and announces it (`Tools.ApprovalPoliciesChanged`, core NATS); every
 * replica subscribes without a queue group and drops that tenant's copy, so the next call anywhere
 * reads the new overrides. The announcement is sent after the write committed, so a read started
 * after it arrives sees the change; a read that was under way when it arrived is not kept. A replica
 * that missed it (a lost message, a reconnect) keeps the old copy for APPROVAL_POLICY_CACHE_TTL_MS at
 * most.
 */
@Injectable()
export class ApprovalOverridesCache implements OnModuleInit, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly repository: ApprovalPolicyRepository,
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) private readonly config: Pick<McpToolsEnv, 'APPROVAL_POLICY_CACHE_TTL_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Subscribed before the service takes calls, so no change announced after that is missed. */
  async onModuleInit(): Promise<void> {
    this.subscription = this.bus.subscribe(Tools.ApprovalPoliciesChanged, ({ tenantId }) =>
      this.drop(tenantId),
    );
    await this.subscription.ready;
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** The tenant's overrides: this replica's copy, or read now (and kept). */
  get(tenantId: string): Promise<ApprovalOverrides> {
    const now = Date.now();
    const kept = this.entries.get(tenantId);
    if (kept && kept.expiresAt > now) return kept.overrides;
    const entry: Entry = {
      overrides: this.read(tenantId),
      expiresAt: now + this.config.APPROVAL_POLICY_CACHE_TTL_MS,
    };
    // A failed read is not kept: the next caller tries again.
    entry.overrides.catch(() => {
      if (this.entries.get(tenantId) === entry) this.entries.delete(tenantId);
    });
    this.entries.delete(tenantId);
    this.entries.set(tenantId, entry);
    if (this.entries.size > MAX_TENANTS) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry.overrides;
  }

  /**
   * `tool`'s override in `tenantId` was just written (committed) here: this replica's copy goes at
   * once, and every other replica is told to drop theirs. An announcement that cannot be sent is
   * logged; the other replicas' copies then expire on their own.
   */
  changed(tenantId: string, tool: string): void {
    this.drop(tenantId);
    try {
      this.bus.publish(Tools.ApprovalPoliciesChanged, [], {
        tenantId,
        tool,
        at: new Date().toISOString(),
      });
    } catch (e) {
      this.logger.warn(
        { err: e, tenantId, tool },
        'could not announce a change of approval policy to the other replicas; their copies expire within APPROVAL_POLICY_CACHE_TTL_MS',
      );
    }
  }

  /** Forgets the tenant's copy: a read under way is not kept either (it may predate the change). */
  drop(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  private async read(tenantId: string): Promise<ApprovalOverrides> {
    const all = await this.repository.all(tenantId);
    const version = createHash('sha256')
      .update(JSON.stringify(all.map((o) => [o.tool, o.policy])))
      .digest('hex')
      .slice(0, 16);
    return { byTool: new Map(all.map((o) => [o.tool, o])), version };
  }
}
