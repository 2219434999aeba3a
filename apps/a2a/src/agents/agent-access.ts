import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, TENANTS, TenantDirectory } from '@switchboard/config';
import { type Actor, Tenancy, tenantOf } from '@switchboard/contracts';
import type { A2aEnv } from '../config/a2a.env.js';
import { mayUseAgent } from './agent-policy.js';

/** Why an actor may not delegate to an agent: its role's policy, or its tenant's settings. */
export type AgentRefusal = 'policy' | 'tenant';

/**
 * Who may delegate to which agent: the actor's tenant must have the agent enabled (TENANTS_FILE's
 * `agents`; no list enables every agent) — for everyone in the tenant, its admins too — and then the
 * per-role A2A_AGENT_POLICY must allow it (admins: every agent their tenant has).
 */
@Injectable()
export class AgentAccess {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<A2aEnv, 'A2A_AGENT_POLICY'>,
    @Inject(TENANTS) private readonly tenants: TenantDirectory,
  ) {}

  /** Undefined when `actor` may delegate to `agent`, else why not. */
  refusal(actor: Actor, agent: string): AgentRefusal | undefined {
    if (!Tenancy.tenantAllowsAgent(this.tenants.settingsOf(tenantOf(actor)), agent))
      return 'tenant';
    return mayUseAgent(this.config.A2A_AGENT_POLICY, actor, agent) ? undefined : 'policy';
  }

  mayUse(actor: Actor, agent: string): boolean {
    return this.refusal(actor, agent) === undefined;
  }
}

/**
 * The tenants file as a2a reads it: every agent it names must be one of A2A_AGENTS, or a2a does not
 * start (a misspelt name would silently leave a tenant without an agent it was meant to have).
 */
export function loadA2aTenants(
  config: Pick<A2aEnv, 'TENANTS_FILE' | 'A2A_AGENTS'>,
): TenantDirectory {
  const tenants = TenantDirectory.load(config.TENANTS_FILE);
  const known = new Set(config.A2A_AGENTS.map((a) => a.name));
  const unknown = tenants
    .tenants()
    .flatMap((t) =>
      (tenants.settingsOf(t)?.agents ?? [])
        .filter((a) => !known.has(a))
        .map(
          (a) =>
            `tenants.${t}.agents: no agent "${a}" in A2A_AGENTS (known: ${[...known].join(', ') || 'none'})`,
        ),
    );
  if (unknown.length)
    throw new Error(`invalid TENANTS_FILE ${config.TENANTS_FILE}: ${unknown.join('; ')}`);
  return tenants;
}
