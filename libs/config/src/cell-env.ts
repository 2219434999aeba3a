import { SERVICE_NAMES, type ServiceName } from '@switchboard/contracts';

export type EnvVars = Record<string, string | undefined>;

/** The prefix of a service's own values in a cell's environment: `MCP_TOOLS__` for mcp-tools. */
export function envPrefix(service: ServiceName): string {
  return `${service.toUpperCase().replace(/-/g, '_')}__`;
}

const PREFIXES = SERVICE_NAMES.map(envPrefix);

/**
 * What one service of a cell reads as its environment: the process' environment without any service's
 * own values, overlaid with this service's — `<SERVICE>__<KEY>` read as `<KEY>` (e.g.
 * `ORCHESTRATOR__DATABASE_URL` is the orchestrator's DATABASE_URL, `GATEWAY__PORT` the gateway's
 * PORT, `AUDIT__NATS_NKEY_SEED_FILE` the audit service's NATS identity). So every service keeps its own
 * validated settings, and one service's values never reach another (a database URL, credentials).
 */
export function serviceEnv(service: ServiceName, env: EnvVars): EnvVars {
  const own = envPrefix(service);
  const view: EnvVars = {};
  const overlay: EnvVars = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(own) && key.length > own.length) overlay[key.slice(own.length)] = value;
    else if (!PREFIXES.some((p) => key.startsWith(p))) view[key] = value;
  }
  return { ...view, ...overlay };
}
