import { DEFAULT_TENANT, DomainError, TenantId, Tools } from '@switchboard/contracts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** DI token of the credential store. */
export const CREDENTIALS = Symbol.for('switchboard.credentials');

const NAME = /^[A-Z][A-Z0-9_]*$/;

export interface CredentialSources {
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** A mounted secrets file: a JSON object or KEY=value lines. Its values win over the environment. */
  file?: string | undefined;
  /**
   * Environment names that are never credentials: the service's own settings (DATABASE_URL,
   * NATS_PASSWORD, …), so a tool definition cannot ask for them and carry them to another host.
   */
  exclude?: readonly string[];
  /**
   * A folder of tenants' own credentials (TENANT_CREDENTIALS_DIR): `<tenant>.env` or `<tenant>.json`
   * (a secrets file), or a folder `<tenant>/` with one file per credential named after it (a
   * Kubernetes Secret mounted as a volume).
   */
  tenantDir?: string | undefined;
  /** Whether a tenant's calls may fall back to the platform's credentials (default: yes). */
  sharesPlatform?: ((tenant: string) => boolean) | undefined;
}

type Values = ReadonlyMap<string, string>;

/**
 * Credentials for tools, read once at boot from the environment (or a mounted secrets file) and, per
 * tenant, from the tenants' credentials folder, and injected at call time. A tenant's own credential
 * wins over the platform's; the platform's fill in for the rest unless the tenant's settings say
 * `credentials: {platform: false}`. A tenant's values are given to that tenant's calls only. Values
 * never leave this service: results, logs, events, audit details and error messages are scrubbed of
 * them, and nothing here ever prints a value.
 */
export class CredentialStore {
  private readonly values: Values;
  private readonly tenants: ReadonlyMap<string, Values>;

  constructor(
    source: Readonly<Record<string, string | undefined>>,
    tenants: Readonly<Record<string, Readonly<Record<string, string | undefined>>>> = {},
    private readonly sharesPlatform: (tenant: string) => boolean = () => true,
  ) {
    this.values = valuesOf(source);
    this.tenants = new Map(Object.entries(tenants).map(([t, v]) => [t, valuesOf(v)]));
  }

  static load({
    env,
    file,
    exclude = [],
    tenantDir,
    sharesPlatform,
  }: CredentialSources): CredentialStore {
    const excluded = new Set(exclude);
    const fromEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !excluded.has(k)));
    return new CredentialStore(
      { ...fromEnv, ...(file ? readSecretsFile(file) : {}) },
      tenantDir ? readTenantDir(tenantDir) : {},
      sharesPlatform,
    );
  }

  /** Whether the platform has `name` (what every tenant that shares the platform's gets). */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Whether `tenant`'s calls get `name`: its own, or the platform's when it shares them. */
  hasFor(tenant: string, name: string): boolean {
    return this.valueFor(tenant, name) !== undefined;
  }

  /** The names (never the values) of `tenant`'s own credentials, sorted. */
  namesOf(tenant: string): string[] {
    return [...(this.tenants.get(tenant)?.keys() ?? [])].sort();
  }

  /** Whether the platform, or some tenant of its own, has `name`. */
  hasAnywhere(name: string): boolean {
    return this.has(name) || [...this.tenants.values()].some((v) => v.has(name));
  }

  /** Whether `tenant` falls back to the platform's credentials. */
  shares(tenant: string): boolean {
    return this.sharesPlatform(tenant);
  }

  /**
   * The named credentials as `tenant`'s calls get them, or the not-configured refusal naming (only)
   * the missing ones. A tool that lacks one is refused before it gets here; this is the backstop.
   */
  resolve(
    tool: string,
    names: readonly string[],
    tenant: string = DEFAULT_TENANT,
  ): Record<string, string> {
    const missing = names.filter((n) => !this.hasFor(tenant, n));
    if (missing.length) {
      throw new DomainError('UNSUPPORTED', Tools.unconfiguredReason(tool, missing), {
        details: { tool, needs: missing, refusal: 'not-configured' satisfies Tools.ToolRefusal },
      });
    }
    return Object.fromEntries(names.map((n) => [n, this.valueFor(tenant, n) as string]));
  }

  /**
   * Every value a tool could have been given under `names`, for scrubbing: the platform's and, for a
   * tenant, its own (scrubbing one more value than was given costs nothing).
   */
  valuesFor(names: readonly string[], tenant?: string): string[] {
    const own = tenant === undefined ? undefined : this.tenants.get(tenant);
    return names.flatMap((n) => [this.values.get(n), own?.get(n)]).filter((v): v is string => !!v);
  }

  private valueFor(tenant: string, name: string): string | undefined {
    const own = this.tenants.get(tenant)?.get(name);
    if (own !== undefined) return own;
    return this.sharesPlatform(tenant) ? this.values.get(name) : undefined;
  }
}

function valuesOf(source: Readonly<Record<string, string | undefined>>): Values {
  return new Map(
    Object.entries(source).filter((e): e is [string, string] => NAME.test(e[0]) && !!e[1]),
  );
}

/**
 * Reads the tenants' credentials folder. Entries whose name starts with `.` are skipped (a mounted
 * Secret's `..data` links); any other entry must be a tenant id with `.env`/`.json`, or a folder.
 */
function readTenantDir(dir: string): Record<string, Record<string, string>> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new Error(
      `TENANT_CREDENTIALS_DIR ${dir} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
  const out: Record<string, Record<string, string>> = {};
  for (const entry of entries.filter((e) => !e.startsWith('.')).sort()) {
    const path = join(dir, entry);
    const folder = statSync(path).isDirectory();
    const tenant = folder ? entry : entry.replace(/\.(env|json)$/, '');
    if ((!folder && tenant === entry) || !TenantId.safeParse(tenant).success) {
      throw new Error(
        `TENANT_CREDENTIALS_DIR ${dir}: "${entry}" is not <tenant>.env, <tenant>.json or a folder <tenant>/ (a tenant id is 1-64 letters, digits, "_" or "-")`,
      );
    }
    if (Object.hasOwn(out, tenant))
      throw new Error(`TENANT_CREDENTIALS_DIR ${dir}: tenant "${tenant}" has more than one entry`);
    out[tenant] = folder ? readSecretFolder(path) : readSecretsFile(path, 'TENANT_CREDENTIALS_DIR');
  }
  return out;
}

/** A mounted Secret: one file per credential, named after it; a trailing newline is not part of it. */
function readSecretFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).filter((n) => !n.startsWith('.'))) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    if (!NAME.test(name))
      throw new Error(`${path}: a credential file must be named in UPPER_SNAKE_CASE`);
    out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  }
  return out;
}

/** Parses a secrets file. Errors name the line, never its value. */
function readSecretsFile(path: string, label = 'CREDENTIALS_FILE'): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `${label} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`${label} ${path} is not valid JSON`);
    }
    const entries = Object.entries(doc as Record<string, unknown>);
    const bad = entries.filter(([k, v]) => !NAME.test(k) || typeof v !== 'string').map(([k]) => k);
    if (bad.length)
      throw new Error(
        `${label} ${path}: ${bad.join(', ')}: keys must be UPPER_SNAKE_CASE with string values`,
      );
    return Object.fromEntries(entries) as Record<string, string>;
  }
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!match || !NAME.test(match[1] as string)) {
      throw new Error(
        `${label} ${path} line ${i + 1}: expected NAME=value with an UPPER_SNAKE_CASE name`,
      );
    }
    out[match[1] as string] = (match[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  });
  return out;
}
