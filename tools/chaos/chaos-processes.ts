import { repoRoot, type ServiceHandle, startService, startStackCell } from '@switchboard/testing';
import { join } from 'node:path';

// The two shapes the chaos suite runs Switchboard's services in: a process per service (and per
// replica, on a cluster), or every service in one cell (apps/cell, the shape `npm run up` gives
// users). Faults and checks see the same interface either way.

export const SERVICES = [
  'mcp-tools',
  'audit',
  'orchestrator',
  'xmpp-bridge',
  'a2a',
  'gateway',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** How a replica is named in logs and reports: `audit` for the first, `audit-2` for the second. */
export const replicaLabel = (name: ServiceName, index: number): string =>
  index === 0 ? name : `${name}-${index + 1}`;

/** One running replica of a service. */
export interface Replica {
  service: ServiceName;
  index: number;
  label: string;
  handle: ServiceHandle;
}

export interface ChaosProcesses {
  /** The first replica of each service (in a cell: its view of the one process). */
  services(): Record<ServiceName, ServiceHandle>;
  /** Every replica of every service (in a cell: one view per service, all of one process). */
  replicas(): Replica[];
  /** The gateways a load balancer would choose from. */
  gateways(): ServiceHandle[];
  /**
   * Starts a replica of a service again on its port, `overrides` added. In a cell the cell starts
   * again (stopped first if it still runs), its other services with their own settings.
   */
  start(
    name: ServiceName,
    overrides?: Record<string, string>,
    index?: number,
  ): Promise<ServiceHandle>;
  /** Starts every service that is not running (a cell: once). */
  startAll(): Promise<void>;
  stop(): Promise<void>;
}

type EnvOf = (name: ServiceName) => Record<string, string>;

/** A process per service; two replicas of each of `replicated`. */
export async function serviceProcesses(
  envOf: EnvOf,
  logDir: string,
  replicated: readonly ServiceName[],
): Promise<ChaosProcesses> {
  const running = Object.fromEntries(SERVICES.map((n) => [n, [] as ServiceHandle[]])) as Record<
    ServiceName,
    ServiceHandle[]
  >;
  const all = () => SERVICES.flatMap((n) => running[n]);
  const start = async (name: ServiceName, overrides: Record<string, string> = {}, index = 0) => {
    const port = running[name][index]?.port;
    running[name][index] = await startService(
      replicaLabel(name, index),
      { ...envOf(name), ...overrides, ...(port ? { PORT: String(port) } : {}) },
      { logDir, readyTimeoutMs: 60_000, entry: join(repoRoot, 'dist/apps', name, 'src/main.js') },
    );
    return running[name][index];
  };
  const processes: ChaosProcesses = {
    services: () =>
      Object.fromEntries(SERVICES.map((n) => [n, running[n][0]])) as Record<
        ServiceName,
        ServiceHandle
      >,
    replicas: () =>
      SERVICES.flatMap((service) =>
        running[service].map((handle, index) => ({
          service,
          index,
          label: replicaLabel(service, index),
          handle,
        })),
      ),
    gateways: () => running.gateway,
    start,
    startAll: async () => {
      for (const name of SERVICES) await start(name);
    },
    stop: async () => {
      await Promise.allSettled(all().map((s) => s.stop(5_000)));
    },
  };
  try {
    for (const name of SERVICES) {
      const count = replicated.includes(name) ? 2 : 1;
      for (let i = 0; i < count; i++) await start(name, {}, i);
    }
  } catch (e) {
    await processes.stop();
    throw e;
  }
  return processes;
}

/** Every service in one cell process. */
export async function cellProcess(envOf: EnvOf, logDir: string): Promise<ChaosProcesses> {
  const cell = await startStackCell([...SERVICES], (n) => envOf(n as ServiceName), logDir);
  const services = () => cell.services as Record<ServiceName, ServiceHandle>;
  return {
    services,
    replicas: () =>
      SERVICES.map((service) => ({
        service,
        index: 0,
        label: service,
        handle: services()[service],
      })),
    gateways: () => [services().gateway],
    start: async (name, overrides = {}) =>
      (await cell.restart(name, overrides))[name] as ServiceHandle,
    // The cell starts again; its other services keep the settings of their last restart.
    startAll: async () => {
      await cell.restart('gateway', {});
    },
    stop: () => services().gateway.stop(5_000),
  };
}
