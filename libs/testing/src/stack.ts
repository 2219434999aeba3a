import { createTestDatabase, type TestDatabase } from './postgres.js';
import type { NatsIdentity } from '@switchboard/contracts';
import type { NatsSettings } from '@switchboard/messaging';
import { startPrivateNats, type PrivateNats } from './nats-server.js';
import { type SecuredNats, startSecuredNats } from './secured-nats.js';
import { deleteRedisKeys, testRedisPrefix } from './redis.js';
import { startService, type ServiceHandle } from './services.js';
import { atCoreWidth, disposableTempDir, tempDir } from './processes.js';
import { type StackCell, startStackCell } from './stack-cell.js';

export interface Stack {
  nats: PrivateNats;
  /** With `natsIdentities`: the enforcing NATS (its refusals: `violations()`). */
  securedNats?: SecuredNats;
  /** How a test connects as `identity` (its credentials when the stack's NATS enforces identities). */
  natsSettings(identity: NatsIdentity): NatsSettings;
  dbs: { orchestrator: TestDatabase; tools: TestDatabase; audit: TestDatabase };
  services: Record<string, ServiceHandle>;
  gatewayUrl: string;
  /** The services' own log files (`<service>.log`); kept after stop() for post-mortems. */
  logDir: string;
  /** The audit service's per-task logs (TASK_LOG_DIR), private to this stack; removed by stop(). */
  taskLogDir: string;
  /** The Redis key prefix of the gateway and mcp-tools; its keys are deleted by stop(). */
  redisPrefix: string;
  /** Environment each service was started with (to restart one the same way). */
  envOf(name: string): Record<string, string>;
  /** Stops a service and starts it again on the same port, with `overrides` added to its environment. */
  restart(name: string, overrides?: Record<string, string>): Promise<ServiceHandle>;
  stop(): Promise<void>;
}

/** The `live` identity's credentials as the gateway reads them (LIVE_NATS_*; servers and TLS are its own). */
function liveEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([k]) => /^NATS_(USER|PASSWORD|NKEY_SEED_FILE|CREDS_FILE)$/.test(k))
      .map(([k, v]) => [`LIVE_${k}`, v]),
  );
}

/**
 * The platform as real processes: a private NATS, fresh migrated databases, a private Redis prefix, a
 * private per-task log directory, and the chosen services started from their build output. `stop()`
 * stops everything by PID, drops the databases, deletes the prefix's Redis keys and the task logs.
 * The NATS enforces the platform's permissions and each service connects as itself (NKey), as
 * `npm run up`, docker compose and the chart run it — so a permission the product lacks fails a test.
 * `natsIdentities: false` runs an open NATS instead (for a test that must play a service itself).
 */
// eslint-disable-next-line max-lines-per-function -- a test stand-in's routes in one place
export async function startStack(
  opts: {
    services?: string[];
    env?: Record<string, Record<string, string>>;
    common?: Record<string, string>;
    natsIdentities?: boolean;
    /** With NATS identities: tenants that also get an operator identity (docs/tenancy.md). */
    tenantOperators?: readonly string[];
    /**
     * `cell`: the services in one process, as `npm run up` runs them for users (restarting one
     * restarts the cell); `services` (default): a process each, for what tests distribution.
     */
    shape?: 'services' | 'cell';
  } = {},
): Promise<Stack> {
  const names = opts.services ?? ['mcp-tools', 'audit', 'orchestrator', 'gateway'];
  const securedNats =
    (opts.natsIdentities ?? true)
      ? await startSecuredNats({ tenantOperators: opts.tenantOperators ?? [] })
      : undefined;
  const nats = securedNats ?? (await startPrivateNats());
  const identityEnv = (name: string): Record<string, string> =>
    securedNats && name in securedNats.identities
      ? {
          ...securedNats.identities[name as NatsIdentity].env,
          // the gateway's Live view reads the traffic as `live`, as `npm run up` configures it
          ...(name === 'gateway' ? liveEnv(securedNats.identities.live.env) : {}),
        }
      : {};
  const [orchestrator, tools, audit] = await Promise.all([
    createTestDatabase('orch', 'orchestrator'),
    createTestDatabase('tools', 'mcp-tools'),
    createTestDatabase('audit', 'audit'),
  ]);
  const dbs = { orchestrator, tools, audit };
  const logDir = tempDir('stack-logs');
  // Never the repo's ./logs (the dev stack's task logs): each stack writes to and removes its own.
  const taskLogs = disposableTempDir('task-logs');
  const taskLogDir = taskLogs.path;
  const redisPrefix = testRedisPrefix('stack');
  const base: Record<string, string> = {
    NATS_SERVERS: nats.url,
    LOG_LEVEL: 'info',
    ...opts.common,
  };
  const perService: Record<string, Record<string, string>> = {
    gateway: { AUTH_MODE: 'dev', REDIS_KEY_PREFIX: redisPrefix },
    // the quota counters (docs/quotas.md) under the test's own prefix, never the machine's `sb:`
    orchestrator: { DATABASE_URL: orchestrator.url, REDIS_KEY_PREFIX: redisPrefix },
    a2a: { REDIS_KEY_PREFIX: redisPrefix },
    'mcp-tools': { DATABASE_URL: tools.url, REDIS_KEY_PREFIX: redisPrefix },
    audit: { DATABASE_URL: audit.url, TASK_LOG_DIR: taskLogDir },
  };
  const envOf = (name: string) => ({
    ...base,
    ...identityEnv(name),
    ...perService[name],
    ...opts.env?.[name],
  });
  let services: Record<string, ServiceHandle> = {};
  let cell: StackCell | undefined;
  const stop = async () => {
    await Promise.allSettled(Object.values(services).map((s) => s.stop()));
    await nats.stop();
    await Promise.allSettled([
      ...Object.values(dbs).map((d) => d.drop()),
      deleteRedisKeys(redisPrefix),
    ]);
    taskLogs.remove();
  };
  try {
    if (opts.shape === 'cell') {
      cell = await startStackCell(names, envOf, logDir);
      services = cell.services;
    } else {
      // Services start in any order in production (each creates or reconciles the streams it needs).
      await atCoreWidth(names, async (name) => {
        services[name] = await startService(name, envOf(name), { logDir });
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    nats,
    ...(securedNats ? { securedNats } : {}),
    natsSettings: (identity) => securedNats?.identities[identity].nats ?? { servers: [nats.url] },
    dbs,
    get services() {
      return services;
    },
    logDir,
    taskLogDir,
    redisPrefix,
    envOf,
    get gatewayUrl() {
      const gw = services['gateway'];
      if (!gw) throw new Error('the gateway is not part of this stack');
      return gw.url;
    },
    restart: async (name, overrides = {}) => {
      if (cell) {
        services = await cell.restart(name, overrides);
        const restarted = services[name];
        if (!restarted) throw new Error(`${name} is not part of this stack`);
        return restarted;
      }
      await services[name]?.stop();
      const env = {
        ...envOf(name),
        ...overrides,
        ...(services[name] ? { PORT: String(services[name].port) } : {}),
      };
      services[name] = await startService(name, env, { logDir });
      return services[name];
    },
    stop,
  };
}
