// How the operator CLI reaches NATS: the settings the services read (NATS_SERVERS, NATS_USER /
// NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE, NATS_NKEY_SEED_FILE, NATS_TLS_*), overridden by flags,
// validated the same way; with none of them, the local stack's NATS as the identity the command needs
// (what `npm run up` wrote to <run dir>/nats/<identity>.env: `operator` to read, `admin` to send).
import { ConfigError, loadConfig, natsConnectionSettings, NatsEnv } from '@switchboard/config';
import { NATS_IDENTITIES, type NatsIdentity } from '@switchboard/contracts';
import type { NatsSettings } from '@switchboard/messaging';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

/** The connection flags the CLI takes (each the same as one setting of the services). */
export const CONNECTION_FLAGS = {
  nats: { type: 'string', env: 'NATS_SERVERS', help: 'servers, comma-separated' },
  'nats-user': { type: 'string', env: 'NATS_USER', help: 'user (its password: NATS_PASSWORD)' },
  creds: { type: 'string', env: 'NATS_CREDS_FILE', help: 'credentials file (JWT + NKey seed)' },
  nkey: { type: 'string', env: 'NATS_NKEY_SEED_FILE', help: 'NKey seed file' },
  'tls-ca': { type: 'string', env: 'NATS_TLS_CA_FILE', help: 'CA of the servers' },
  'tls-cert': { type: 'string', env: 'NATS_TLS_CERT_FILE', help: 'client certificate' },
  'tls-key': { type: 'string', env: 'NATS_TLS_KEY_FILE', help: 'its private key' },
} as const;

export type ConnectionFlags = Partial<Record<keyof typeof CONNECTION_FLAGS, string>>;

/** The package.json every checkout and image of the platform has at its root. */
const ROOT_PACKAGE = '@switchboard/source';

/**
 * The platform's root (a checkout, or /app in an image): the nearest directory above `from` whose
 * package.json is the workspace's. Undefined outside one.
 */
export function workspaceRoot(from: string = import.meta.dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === ROOT_PACKAGE)
          return dir;
      } catch {
        // not JSON: keep looking above
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** KEY=VALUE lines (what infra/up.sh writes), without shell evaluation. */
function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [, key, value] = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()) ?? [];
    if (key && value !== undefined) out[key] = value;
  }
  return out;
}

export interface OperatorConnection {
  nats: NatsSettings;
  /**
   * The NATS identity it connects as, for its reply inboxes (`_INBOX.<identity>`): NATS_USER when it
   * names one, else the identity the command asked for.
   */
  identity: NatsIdentity;
  /** Where the settings came from, for the CLI's first line (never a secret). */
  source: string;
}

const isIdentity = (name: string | undefined): name is NatsIdentity =>
  (NATS_IDENTITIES as readonly string[]).includes(name ?? '');

/**
 * The connection settings from `env` and `flags` (flags win). With none at all: the local stack's
 * NATS as `identity` (its `<run dir>/nats/<identity>.env`), else the default server. Throws a
 * ConfigError naming each problem (never a secret) when they do not hold together.
 */
export function operatorConnection(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConnectionFlags,
  identity: NatsIdentity = 'operator',
  root: string | undefined = workspaceRoot(),
  /** The local stack's file to read (`<name>.env`) when it is not the identity's own: a tenant operator's. */
  stackIdentity: string = identity,
): OperatorConnection {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (key.startsWith('NATS_') && value) given[key] = value;
  for (const [flag, spec] of Object.entries(CONNECTION_FLAGS)) {
    const value = flags[flag as keyof ConnectionFlags];
    if (value) given[spec.env] = value;
  }
  let source = 'the NATS_* settings';
  if (Object.keys(given).length === 0) {
    const runDir = env['SB_RUN_DIR'] ?? (root ? join(root, '.run') : undefined);
    const stackFile =
      runDir &&
      join(
        isAbsolute(runDir) || !root ? runDir : join(root, runDir),
        'nats',
        `${stackIdentity}.env`,
      );
    if (stackFile && existsSync(stackFile)) {
      Object.assign(given, readEnvFile(stackFile));
      source = `the local stack's NATS, as ${stackIdentity} (${stackFile})`;
    } else {
      source = 'the default NATS server';
    }
  }
  const config = loadConfig('switchboard', NatsEnv, given);
  return {
    nats: natsConnectionSettings(config),
    identity: isIdentity(given['NATS_USER']) ? given['NATS_USER'] : identity,
    source,
  };
}

export { ConfigError };
