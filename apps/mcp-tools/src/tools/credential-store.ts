import { DomainError, Tools } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';

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
}

/**
 * Credentials for tools, read once at boot from the environment (or a mounted secrets file) and
 * injected at call time. Values never leave this service: results, logs, events, audit details and
 * error messages are scrubbed of them, and nothing here ever prints a value.
 */
export class CredentialStore {
  private readonly values: ReadonlyMap<string, string>;

  constructor(source: Readonly<Record<string, string | undefined>>) {
    this.values = new Map(
      Object.entries(source).filter((e): e is [string, string] => NAME.test(e[0]) && !!e[1]),
    );
  }

  static load({ env, file, exclude = [] }: CredentialSources): CredentialStore {
    const excluded = new Set(exclude);
    const fromEnv = Object.fromEntries(Object.entries(env).filter(([k]) => !excluded.has(k)));
    return new CredentialStore({ ...fromEnv, ...(file ? readSecretsFile(file) : {}) });
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /**
   * The named credentials, or the not-configured refusal naming (only) the missing ones. A tool that
   * lacks one is refused before it gets here (the registry knows what it needs); this is the backstop.
   */
  resolve(tool: string, names: readonly string[]): Record<string, string> {
    const missing = names.filter((n) => !this.values.has(n));
    if (missing.length) {
      throw new DomainError('UNSUPPORTED', Tools.unconfiguredReason(tool, missing), {
        details: { tool, needs: missing, refusal: 'not-configured' satisfies Tools.ToolRefusal },
      });
    }
    return Object.fromEntries(names.map((n) => [n, this.values.get(n) as string]));
  }

  /** Every credential value a tool could have been given, for scrubbing. */
  valuesFor(names: readonly string[]): string[] {
    return names.map((n) => this.values.get(n)).filter((v): v is string => !!v);
  }
}

/** Parses a secrets file. Errors name the line, never its value. */
function readSecretsFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `CREDENTIALS_FILE ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause: e },
    );
  }
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`CREDENTIALS_FILE ${path} is not valid JSON`);
    }
    const entries = Object.entries(doc as Record<string, unknown>);
    const bad = entries.filter(([k, v]) => !NAME.test(k) || typeof v !== 'string').map(([k]) => k);
    if (bad.length)
      throw new Error(
        `CREDENTIALS_FILE ${path}: ${bad.join(', ')}: keys must be UPPER_SNAKE_CASE with string values`,
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
        `CREDENTIALS_FILE ${path} line ${i + 1}: expected NAME=value with an UPPER_SNAKE_CASE name`,
      );
    }
    out[match[1] as string] = (match[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  });
  return out;
}
