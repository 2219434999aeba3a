import { Inject, Injectable } from '@nestjs/common';
import { TENANTS, type TenantDirectory } from '@switchboard/config';
import { Tenancy } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import type { RegisteredTool } from '../registry/tool-registry.service.js';
import { CREDENTIALS, type CredentialStore } from '../tools/credential-store.js';

/**
 * A tenant's view of the registry (TENANTS_FILE, TENANT_CREDENTIALS_DIR): which tools its settings
 * let it use, and what a tool still needs for its calls — the unset settings of the platform, and the
 * credentials neither the tenant has nor the platform lends it. A tool configured for one tenant only
 * (its own weather key) is offered to that tenant only.
 */
@Injectable()
export class TenantTools {
  constructor(
    @Inject(TENANTS) private readonly tenants: TenantDirectory,
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore,
  ) {}

  settingsOf(tenant: string): Tenancy.TenantSettings | undefined {
    return this.tenants.settingsOf(tenant);
  }

  allows(tenant: string, tool: RegisteredTool): boolean {
    return Tenancy.tenantAllowsTool(this.tenants.settingsOf(tenant), tool.definition);
  }

  /** What `tool` lacks to run for `tenant` (names only): empty when it can run. */
  needs(tenant: string, { definition, implementation }: RegisteredTool): readonly string[] {
    return [
      ...(implementation.unsetSettings ?? []),
      ...definition.requiredCredentials.filter((n) => !this.credentials.hasFor(tenant, n)),
    ];
  }

  /**
   * What of the tenant's configuration decides its manifests: its settings and the names of its own
   * credentials (never their values). Part of the manifest cache key.
   */
  fingerprint(tenant: string): string {
    const names = this.credentials.namesOf(tenant);
    const shares = this.credentials.shares(tenant);
    if (!names.length && shares) return this.tenants.fingerprintOf(tenant);
    const digest = createHash('sha256')
      .update(JSON.stringify({ names, shares }))
      .digest('hex')
      .slice(0, 12);
    return `${this.tenants.fingerprintOf(tenant)}:${digest}`;
  }
}
