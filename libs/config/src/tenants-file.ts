import { Tenancy } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseYaml } from './yaml.js';
import { z } from 'zod';

/** A tenants file that cannot be read or does not validate; the message lists every problem. */
export class TenantsFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(
      `invalid TENANTS_FILE ${path} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'TenantsFileError';
  }
}

/**
 * The per-tenant settings of the tenants file, read once at boot by each service that applies a part
 * of them (mcp-tools: tools and credentials; a2a: agents; the orchestrator: guardrails). A tenant the
 * file does not name, and every tenant when there is no file, has no settings: the platform's own
 * rules apply to it unchanged.
 */
export class TenantDirectory {
  private readonly fingerprints = new Map<string, string>();

  constructor(private readonly file: Tenancy.TenantsFile = { tenants: {} }) {
    for (const [tenant, settings] of Object.entries(file.tenants)) {
      this.fingerprints.set(
        tenant,
        createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 12),
      );
    }
  }

  /** Reads and validates `path` (YAML, or JSON for `.json`); no path: no tenant has settings. */
  static load(path: string | undefined): TenantDirectory {
    return new TenantDirectory(path === undefined ? undefined : readTenantsFile(path));
  }

  settingsOf(tenant: string): Tenancy.TenantSettings | undefined {
    return Object.hasOwn(this.file.tenants, tenant) ? this.file.tenants[tenant] : undefined;
  }

  /** The tenants the file names. */
  tenants(): string[] {
    return Object.keys(this.file.tenants).sort();
  }

  /**
   * A short fingerprint of a tenant's settings (`-` for none): part of cache keys, so that replicas
   * reading different files (a rollout) never serve each other's manifests.
   */
  fingerprintOf(tenant: string): string {
    return this.fingerprints.get(tenant) ?? '-';
  }
}

function readTenantsFile(path: string): Tenancy.TenantsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TenantsFileError(path, [
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  let doc: unknown;
  try {
    doc = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new TenantsFileError(path, [
      `is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
  const parsed = Tenancy.TenantsFile.safeParse(doc ?? {});
  if (parsed.success) return parsed.data;
  throw new TenantsFileError(
    path,
    parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
  );
}

/** DI token of the service's TenantDirectory (the tenants file it read at boot). */
export const TENANTS = Symbol.for('switchboard.tenants');

/** The TENANTS_FILE setting, the same on every service that reads the file. */
export const tenantsFileSetting = z
  .string()
  .min(1)
  .optional()
  .describe(
    "Path of the tenants file (YAML or JSON): each tenant's tools, agents, guardrails and credential policy (docs/tenancy.md). Unset: every tenant gets the platform's.",
  );
