import { type EnvVars, envPrefix, serviceEnv } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';

/**
 * The services a machine's cells run once, in the first cell only, however many cells there are:
 * - the gateway: the edge clients talk to keeps some of their state in its process — an MCP
 *   2025-11-25 session (and an elicitation it waits on) lives in the gateway that initialized it,
 *   and the cells share a port connection by connection, not request by request, so a client's
 *   second connection would reach another cell's gateway, which does not know its session;
 * - the xmpp-bridge: it holds the platform's one XMPP login (two would take it from each other).
 * The work behind the gateway — tasks, tools, delegations, the audit trail — is what the other
 * cells share.
 */
export const FIRST_CELL_ONLY: readonly ServiceName[] = ['gateway', 'xmpp-bridge'];

/** Which services each cell runs: `cells[0]` is the first cell's. */
export interface CellPlan {
  cells: ServiceName[][];
  /** Why fewer cells run than were asked for, when they do. */
  note?: string;
}

/**
 * The cells for `services` (in start order) when `count` are asked for: the first runs them all,
 * every other one all but FIRST_CELL_ONLY. When only such services are named there is nothing for a
 * second cell to run, and one cell runs them.
 */
export function planCells(services: readonly ServiceName[], count: number): CellPlan {
  const shared = services.filter((s) => !FIRST_CELL_ONLY.includes(s));
  if (count > 1 && shared.length === 0)
    return {
      cells: [[...services]],
      note: `one cell runs ${services.join(' and ')} (${services.length === 1 ? 'it runs' : 'they run'} in one cell only, so more would have nothing to do)`,
    };
  return { cells: Array.from({ length: count }, (_, i) => (i === 0 ? [...services] : shared)) };
}

/** Settings that make no sense for several cells sharing one address, each named; [] when none. */
export function sharedPortProblems(services: readonly ServiceName[], env: EnvVars): string[] {
  return services
    .filter((s) => serviceEnv(s, env)['PORT']?.trim() === '0')
    .map(
      (s) =>
        `${s}: PORT 0 gives each cell a port of its own; several cells share one: give ${envPrefix(s)}PORT a number`,
    );
}

/** The suffix that tells cell `n`'s replicas of a service from the other cells': `-c2`. */
export const cellSuffix = (n: number) => `-c${n}`;

/**
 * What cell `n` (1-based) is started with beside the machine's environment: the services it runs
 * (SB_SERVICES), its number (SB_CELL), and instance ids of its own — each id set for the cell or for
 * one of its services gets `-c<n>`, so every cell's replica of a service has its own name in logs,
 * health answers and the `service_instance_id` of its metrics (an id not set defaults to
 * hostname-pid, which differs anyway).
 */
export function cellSettings(
  env: EnvVars,
  n: number,
  services: readonly ServiceName[],
): Record<string, string> {
  const out: Record<string, string> = { SB_SERVICES: services.join(','), SB_CELL: String(n) };
  if (env['INSTANCE_ID']) out['INSTANCE_ID'] = `${env['INSTANCE_ID']}${cellSuffix(n)}`;
  for (const s of services) {
    const own = env[`${envPrefix(s)}INSTANCE_ID`];
    if (own) out[`${envPrefix(s)}INSTANCE_ID`] = `${own}${cellSuffix(n)}`;
  }
  return out;
}
