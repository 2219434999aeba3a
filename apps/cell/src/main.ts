import 'reflect-metadata';
// switchboard cell: the services SB_SERVICES names (default all), in this one Node process, each with
// its own settings (its view of the environment: libs/config/src/cell-env.ts), NATS identity, HTTP port with /health,
// /readiness and /metrics, metrics and traces. docs/architecture.md "The cell", docs/operations.md
// "One process: the cell". Exit status: 0 stopped by a signal, 1 it could not start (one line says
// which service, or what is wrong with the settings).
import { ConfigError, loadConfig } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import { localCommands } from '@switchboard/messaging';
import { createLogger } from '@switchboard/observability';
import type { RunningService } from '@switchboard/runtime';
import { hostname } from 'node:os';
import { CellStartError, defineServices, startServices, stopServices } from './cell.runner.js';
import { CellEnv } from './config/cell.env.js';
import { type DefineService, loadDefinition } from './service-definitions.js';
import { parseServiceList, ServiceListError } from './service-list.js';

const logger = createLogger({
  service: 'cell',
  instance: process.env['INSTANCE_ID'] ?? `${hostname()}-${process.pid}`,
  level: process.env['LOG_LEVEL'] ?? 'info',
  pretty: process.env['LOG_PRETTY'] === 'true',
});

async function start(): Promise<RunningService[]> {
  const { SB_SERVICES, SB_IN_PROCESS_BUS } = loadConfig('cell', CellEnv, process.env);
  const services = parseServiceList(SB_SERVICES);
  // before any service starts: each registers its command handlers as it begins to listen
  if (SB_IN_PROCESS_BUS === 'on') localCommands.enable();
  const definitions = new Map<ServiceName, DefineService>();
  for (const s of services) definitions.set(s, await loadDefinition(s));
  const running = await startServices(defineServices(services, definitions, process.env), logger);
  logger.info(
    {
      services,
      inProcessBus: SB_IN_PROCESS_BUS,
      urls: Object.fromEntries(running.map((r) => [r.service, r.url])),
    },
    `cell ready: ${services.join(', ')}`,
  );
  return running;
}

/** One handler for the process: every service stops gracefully, the gateway first. */
function stopOnSignals(running: RunningService[]): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (signal !== 'SIGINT') return;
      logger.warn({ signal }, 'cell stopping at once (second signal)');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'cell stopping: every service finishes the work in flight');
    void stopServices(running, logger).then((clean) => {
      logger.info('cell stopped');
      process.exit(clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

try {
  stopOnSignals(await start());
} catch (e) {
  if (!(e instanceof ConfigError || e instanceof ServiceListError || e instanceof CellStartError))
    logger.fatal({ err: e }, `cell failed to start: ${(e as Error).message}`);
  process.stderr.write(`${(e as Error).message}\n`);
  // Let the log lines flush before exiting.
  await new Promise((resolve) => setImmediate(resolve));
  process.exit(1);
}
