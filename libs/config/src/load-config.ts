import { z } from 'zod';
import { natsSettingsProblems } from './nats.env.js';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${service}: invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Keys that hold secrets: their values are never echoed back in a config error and the generated
 * docs mark them. Word-based so that TASK_TOKEN_BUDGET or REDIS_KEY_PREFIX are not secrets while
 * NATS_TOKEN, OPENAI_API_KEY and JWT_SECRET are.
 */
export function isSecretKey(key: string): boolean {
  // A folder's path is never a secret, whatever it holds (TENANT_CREDENTIALS_DIR).
  if (/_DIR$/i.test(key)) return false;
  return /(^|_)(PASSWORD|PASSPHRASE|SECRET|CREDENTIALS?)(_|$)|(^|_)(TOKEN|KEY)$/i.test(key);
}

function shorten(raw: string): string {
  return raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
}

/** A URL's password (postgresql://user:pass@host) replaced, so a bad DATABASE_URL can be shown. */
function withoutUserinfoPassword(raw: string): string {
  return raw.replace(/(\/\/[^/:@\s]*):[^@/\s]*@/g, '$1:***@');
}

/**
 * Validates the environment once and returns the typed config, or throws one ConfigError listing
 * every problem (key, reason, and the offending value unless the key looks secret).
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  // Empty strings count as unset, so `FOO=` in an env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  // Rules between settings of the shared NATS connection, which one setting's schema cannot check.
  const between = natsPrefixes(schema).flatMap((prefix) => natsSettingsProblems(cleaned, prefix));
  if (result.success && between.length === 0) return result.data;
  const problems = (result.success ? [] : result.error.issues).map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const raw = cleaned[String(issue.path[0] ?? '')];
    const shown =
      raw === undefined
        ? 'is missing'
        : isSecretKey(key)
          ? '(value hidden)'
          : `got ${JSON.stringify(shorten(withoutUserinfoPassword(raw)))}`;
    return `${key}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(service, [...problems, ...between]);
}

/** The NATS identities a schema reads: `NATS_` (with NATS_SERVERS), and `<X>_NATS_` for each `<X>_NATS_USER`. */
function natsPrefixes(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const keys = Object.keys(schema.shape as Record<string, unknown>);
  return [
    ...(keys.includes('NATS_SERVERS') ? ['NATS_'] : []),
    ...keys.flatMap((k) => (/^[A-Z0-9_]+_NATS_USER$/.test(k) ? [k.slice(0, -'USER'.length)] : [])),
  ];
}

/**
 * Boot helper for main.ts: load the config or print the one message and exit(1). A service must
 * never start half-configured.
 */
export function loadConfigOrExit<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return loadConfig(service, schema, env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
