import type { BaseEnv } from '@switchboard/config';
import { ConfigError, type EnvVars as Env, serviceEnv } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import {
  launchService,
  type RunningService,
  type ServiceDefinition,
  ServiceSetupError,
} from '@switchboard/runtime';
import { CellStartError } from './cell.errors.js';
import type { DefineService } from './service-definitions.js';

export { CellStartError };

/**
 * Every service's definition, each from its own view of the environment (serviceEnv). A service whose
 * settings are invalid stops the cell before anything starts, with its own ConfigError's message; two
 * services on one HTTP port too.
 */
export function defineServices(
  services: readonly ServiceName[],
  definitions: ReadonlyMap<ServiceName, DefineService>,
  env: Env,
): ServiceDefinition<BaseEnv>[] {
  const defs = services.map((service) => {
    const define = definitions.get(service);
    if (!define) throw new CellStartError(`cell: no definition of ${service} was loaded`);
    try {
      return define(serviceEnv(service, env));
    } catch (e) {
      if (e instanceof ConfigError || e instanceof ServiceSetupError)
        throw new CellStartError(e.message);
      throw e;
    }
  });
  const byPort = new Map<number, ServiceName[]>();
  // Port 0: each gets one of its own from the system (the cell's `cell ready` line says which).
  for (const d of defs.filter((x) => x.config.PORT !== 0))
    byPort.set(d.config.PORT, [...(byPort.get(d.config.PORT) ?? []), d.service]);
  const shared = [...byPort].filter(([, names]) => names.length > 1);
  if (shared.length)
    throw new CellStartError(
      `cell: ${shared.map(([port, names]) => `${names.join(' and ')} would all listen on port ${port}`).join('; ')}: give each its own (<SERVICE>__PORT, e.g. GATEWAY__PORT=3000)`,
    );
  return defs;
}

/**
 * Starts the services together (their start-ups overlap while they wait for NATS and the
 * databases). When one fails, those that started are stopped again and a CellStartError names every
 * service that failed; the services' own logs say why.
 */
export async function startServices(
  defs: readonly ServiceDefinition<BaseEnv>[],
  logger: Logger,
): Promise<RunningService[]> {
  const outcomes = await Promise.allSettled(defs.map((d) => launchService(d)));
  const running = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failed = defs.filter((_, i) => outcomes[i]?.status === 'rejected').map((d) => d.service);
  if (failed.length === 0) return running;
  logger.error({ failed }, `cell: ${failed.join(', ')} failed to start; stopping the others`);
  await stopServices(running, logger);
  throw new CellStartError(
    `cell: ${failed.join(', ')} failed to start (${failed.length === 1 ? 'its' : 'their'} log lines above say why)`,
  );
}

/**
 * Stops the services one after the other in the reverse of their start order — the gateway first, so
 * no new work comes in while the others finish theirs — each gracefully (its SHUTDOWN_GRACE_MS).
 * Resolves with whether every one stopped cleanly.
 */
export async function stopServices(
  running: readonly RunningService[],
  logger: Logger,
): Promise<boolean> {
  let clean = true;
  for (const s of [...running].reverse()) {
    try {
      await s.close();
      logger.info({ stopped: s.service }, `cell: ${s.service} stopped`);
    } catch (e) {
      clean = false;
      logger.error({ err: e, service: s.service }, `cell: ${s.service} did not stop cleanly`);
    }
  }
  return clean;
}
