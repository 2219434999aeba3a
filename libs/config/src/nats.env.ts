import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';

const natsUrl = z
  .string()
  .regex(
    /^(nats|tls|ws|wss):\/\/[^\s,]+$|^[A-Za-z0-9.-]+:\d+$/,
    'must be nats://host:port or host:port',
  );

/** What a file must hold, checked when the settings are read (its content is never shown). */
interface FileKind {
  what: string;
  /** Says what is wrong with the text, or nothing when it is fine. */
  check(text: string): string | undefined;
}

const PEM_CERTIFICATE: FileKind = {
  what: 'a PEM certificate',
  check: (t) =>
    t.includes('-----BEGIN CERTIFICATE-----') ? undefined : 'holds no PEM certificate',
};
const PEM_KEY: FileKind = {
  what: 'a PEM private key',
  check: (t) =>
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(t) ? undefined : 'holds no PEM private key',
};
/** A user NKey seed: `SU` and 56 base32 characters (what `nsc` and `nk -gen user` write). */
export const USER_SEED = /\bSU[A-Z2-7]{56}\b/;
const NKEY_SEED: FileKind = {
  what: 'a user NKey seed',
  check: (t) => (USER_SEED.test(t) ? undefined : 'holds no user NKey seed (SU…)'),
};
const CREDS: FileKind = {
  what: 'a NATS credentials file',
  check: (t) =>
    t.includes('BEGIN NATS USER JWT') && USER_SEED.test(t)
      ? undefined
      : 'is not a NATS credentials file (a user JWT and its NKey seed, as `nsc generate creds` writes)',
};

/** A path to a readable file holding `kind`; the value stays the path (the file is read again on connect). */
function natsFile(kind: FileKind) {
  return z.string().transform((path, ctx) => {
    try {
      if (!statSync(path).isFile()) throw new Error('not a regular file');
      const problem = kind.check(readFileSync(path, 'utf8'));
      if (problem) ctx.addIssue({ code: 'custom', message: `the file ${problem}` });
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      ctx.addIssue({
        code: 'custom',
        message: `cannot be read (${reason}): give a readable file holding ${kind.what}`,
      });
    }
    return path;
  });
}

/** A NATS credentials file setting (checked when read; the value stays the path). */
export const natsCredsFile = () => natsFile(CREDS);
/** A setting naming a file that holds a user NKey seed (checked when read; the value stays the path). */
export const natsNkeySeedFile = () => natsFile(NKEY_SEED);

/** How every service (and `npm run tail`) reaches NATS: servers, TLS, and one way to authenticate. */
export const NatsEnvShape = {
  NATS_SERVERS: z
    .string()
    .default('nats://127.0.0.1:4222')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(natsUrl).min(1, 'must list at least one server'))
    .describe(
      'Comma-separated NATS servers: nats-server 2.10.0 or newer (older ones work, at several times the cost: docs/operations.md, "NATS version"), JetStream enabled. `tls://host:port` requires TLS; so does any NATS_TLS_* file.',
    ),
  NATS_USER: z
    .string()
    .optional()
    .describe("NATS user (with NATS_PASSWORD), e.g. the service's own identity: its name."),
  NATS_PASSWORD: z.string().optional().describe('Password of NATS_USER.'),
  NATS_TOKEN: z.string().optional().describe('NATS token, instead of user/password.'),
  NATS_CREDS_FILE: natsFile(CREDS)
    .optional()
    .describe(
      'NATS credentials file (a user JWT and its NKey seed, from `nsc`), for servers in operator mode. Read again at every reconnect, so a rotated file is picked up.',
    ),
  NATS_NKEY_SEED_FILE: natsFile(NKEY_SEED)
    .optional()
    .describe(
      'File holding the NKey seed (SU…) of this NATS user, instead of a password. Read again at every reconnect.',
    ),
  NATS_TLS_CA_FILE: natsFile(PEM_CERTIFICATE)
    .optional()
    .describe("PEM CA bundle that signed the NATS servers' certificates (TLS is then required)."),
  NATS_TLS_CERT_FILE: natsFile(PEM_CERTIFICATE)
    .optional()
    .describe(
      'PEM client certificate for NATS servers that verify clients (with NATS_TLS_KEY_FILE).',
    ),
  NATS_TLS_KEY_FILE: natsFile(PEM_KEY)
    .optional()
    .describe('PEM private key of NATS_TLS_CERT_FILE.'),
};

export const NatsEnv = z.object(NatsEnvShape);
export type NatsEnv = z.infer<typeof NatsEnv>;

const AUTH_METHODS: ReadonlyArray<{ keys: readonly string[]; name: string }> = [
  { keys: ['USER', 'PASSWORD'], name: 'user and password' },
  { keys: ['TOKEN'], name: 'token' },
  { keys: ['CREDS_FILE'], name: 'credentials file' },
  { keys: ['NKEY_SEED_FILE'], name: 'NKey seed' },
];

/**
 * The rules between NATS settings that no single setting can check, as `KEY: reason` lines (values are
 * never shown): a client certificate goes with its key, a password with its user, and only one way to
 * authenticate is given. Empty when they hold. `prefix`: the settings of another identity the service
 * connects as too (the gateway's `LIVE_NATS_`).
 */
export function natsSettingsProblems(
  env: Readonly<Record<string, string | undefined>>,
  prefix = 'NATS_',
): string[] {
  const key = (name: string) => `${prefix}${name}`;
  const set = (name: string) => !!env[key(name)];
  const problems: string[] = [];
  if (set('TLS_CERT_FILE') !== set('TLS_KEY_FILE')) {
    const [given, missing] = set('TLS_CERT_FILE')
      ? [key('TLS_CERT_FILE'), key('TLS_KEY_FILE')]
      : [key('TLS_KEY_FILE'), key('TLS_CERT_FILE')];
    problems.push(
      `${missing}: a client certificate and its key go together: ${given} is set, ${missing} is missing`,
    );
  }
  if (set('PASSWORD') && !set('USER'))
    problems.push(
      `${key('USER')}: ${key('PASSWORD')} is set without the user it belongs to (is missing)`,
    );
  if (set('USER') && !set('PASSWORD'))
    problems.push(`${key('PASSWORD')}: ${key('USER')} is set without its password (is missing)`);
  const chosen = AUTH_METHODS.filter((m) => m.keys.some(set));
  if (chosen.length > 1)
    problems.push(
      `${chosen.flatMap((m) => m.keys.filter(set).map(key)).join(', ')}: give one way to authenticate to NATS, not ${chosen.length} (${chosen.map((m) => m.name).join(', ')})`,
    );
  return problems;
}

/** Where and how to connect, as the messaging library and the operator tools take it. */
export interface NatsConnectionSettings {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  credsFile?: string;
  nkeySeedFile?: string;
  /** Present: TLS is required (a `tls://` server or a TLS file); the files verify and identify. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export function natsConnectionSettings(env: NatsEnv): NatsConnectionSettings {
  const tlsFiles = {
    ...(env.NATS_TLS_CA_FILE ? { caFile: env.NATS_TLS_CA_FILE } : {}),
    ...(env.NATS_TLS_CERT_FILE ? { certFile: env.NATS_TLS_CERT_FILE } : {}),
    ...(env.NATS_TLS_KEY_FILE ? { keyFile: env.NATS_TLS_KEY_FILE } : {}),
  };
  const tls =
    Object.keys(tlsFiles).length > 0 || env.NATS_SERVERS.some((s) => s.startsWith('tls://'));
  return {
    servers: env.NATS_SERVERS,
    ...(env.NATS_USER ? { user: env.NATS_USER } : {}),
    ...(env.NATS_PASSWORD ? { pass: env.NATS_PASSWORD } : {}),
    ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
    ...(env.NATS_CREDS_FILE ? { credsFile: env.NATS_CREDS_FILE } : {}),
    ...(env.NATS_NKEY_SEED_FILE ? { nkeySeedFile: env.NATS_NKEY_SEED_FILE } : {}),
    ...(tls ? { tls: tlsFiles } : {}),
  };
}
