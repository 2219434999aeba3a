import type { ServiceHealth } from '@switchboard/client';

/** The platform's services (the console may not import the contracts' values, only their types). */
export const SERVICES = ['gateway', 'orchestrator', 'mcp-tools', 'a2a', 'audit', 'xmpp-bridge'];

/** One service as GET /services reports it. */
export type { ServiceHealth };

/**
 * What the Health view says of a service: its readiness (`up`/`down`), `unreachable` (no replica
 * answered), `serving` (the gateway that serves the page, which cannot reach NATS: it is there, its
 * own report is not), or `unknown` (nothing can be known of it while the gateway cannot reach NATS).
 */
export type ServiceState = 'up' | 'down' | 'unreachable' | 'serving' | 'unknown';

export interface ServiceRow {
  service: string;
  state: ServiceState;
  /** The service's report, when it answered. */
  health?: Extract<ServiceHealth, { reachable: true }>;
  /** Why it is unreachable, serving or unknown. */
  note?: string;
}

export interface HealthOverview {
  /** The gateway answers, but not through NATS: no service's state is known from here. */
  natsUnreachable: boolean;
  rows: ServiceRow[];
}

/**
 * The Health view's rows from GET /services, or from its failure. Every service's state travels over
 * NATS (`sb.health.<service>`), the gateway's own included; the gateway serving the page is there by
 * definition. So a 503 UPSTREAM_UNAVAILABLE (the gateway cannot reach NATS), or an answer in which even
 * the gateway did not answer, means NATS is out of the gateway's reach — not that every service is
 * down.
 */
export function healthOverview(
  services: readonly ServiceHealth[] | undefined,
  failure?: { status: number; code: string },
): HealthOverview {
  const natsUnreachable =
    (failure?.status === 503 && failure.code === 'UPSTREAM_UNAVAILABLE') ||
    services?.find((s) => s.service === 'gateway')?.reachable === false;
  if (!natsUnreachable) return { natsUnreachable, rows: (services ?? []).map(rowOf) };
  const known = failure ? [] : (services ?? []);
  const names = [...new Set([...SERVICES, ...known.map((s) => s.service)])];
  const rows = names.map((service): ServiceRow => {
    if (service === 'gateway')
      return { service, state: 'serving', note: 'serving this page, but it cannot reach NATS' };
    const answered = known.find((s) => s.service === service && s.reachable);
    return answered
      ? rowOf(answered)
      : { service, state: 'unknown', note: 'not known while the gateway cannot reach NATS' };
  });
  return { natsUnreachable, rows };
}

function rowOf(s: ServiceHealth): ServiceRow {
  return s.reachable
    ? { service: s.service, state: s.status, health: s }
    : { service: s.service, state: 'unreachable', ...(s.problem ? { note: s.problem } : {}) };
}
