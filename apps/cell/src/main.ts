import 'reflect-metadata';
// switchboard cell: the services SB_SERVICES names (default all), each with its own settings (its
// view of the environment: libs/config/src/cell-env.ts), NATS identity, HTTP port with /health,
// /readiness and /metrics, metrics and traces — in one Node process, or in SB_CELLS of them (default:
// one per core) under a primary that supervises them. docs/architecture.md "The cell",
// docs/operations.md "One process: the cell" and "Every core: several cells". Exit status: 0 stopped
// by a signal, 1 it could not start (one line says which service, or what is wrong with the settings).
import { ConfigError, type EnvVars, loadConfig } from '@switchboard/config';
import { createLogger, type Logger } from '@switchboard/observability';
import cluster from 'node:cluster';
import { hostname } from 'node:os';
import { machineCpus, resolveCellCount } from './cell-count.js';
import { planCells, sharedPortProblems } from './cell-plan.js';
import { CellSettingsError, CellStartError } from './cell.errors.js';
import { CellEnv } from './config/cell.env.js';
import { parseServiceList, ServiceListError } from './service-list.js';

const env: EnvVars = process.env;
const logger: Logger = createLogger({
  service: 'cell',
  instance: env['INSTANCE_ID'] ?? `${hostname()}-${process.pid}`,
  level: env['LOG_LEVEL'] ?? 'info',
  pretty: env['LOG_PRETTY'] === 'true',
});

/**
 * Runs services in this process. What they are made of (Nest, Prisma…) is loaded only here: the
 * primary of several cells, which runs none, never loads it.
 */
async function runCell(...args: Parameters<typeof import('./cell.process.js').runCell>) {
  return (await import('./cell.process.js')).runCell(...args);
}

async function main(): Promise<void> {
  const settings = loadConfig('cell', CellEnv, env);
  const services = parseServiceList(settings.SB_SERVICES);
  const inProcessBus = settings.SB_IN_PROCESS_BUS === 'on';
  if (cluster.isWorker)
    // one of several: the primary chose its services (SB_SERVICES) and its number (cellSettings)
    return runCell(services, {
      env,
      inProcessBus,
      logger,
      of: {
        n: Number(env['SB_CELL']),
        send: (m) => process.send?.(m),
        onMessage: (listener) => process.on('message', listener),
      },
    });
  const plan = planCells(services, resolveCellCount(settings.SB_CELLS, machineCpus()));
  if (plan.note) logger.info({ SB_CELLS: settings.SB_CELLS }, plan.note);
  if (plan.cells.length === 1) return runCell(services, { env, inProcessBus, logger });
  const problems = sharedPortProblems(services, env);
  if (problems.length)
    throw new CellSettingsError(
      `cell: SB_CELLS=${settings.SB_CELLS} runs ${plan.cells.length} cells, which share each service's port:\n  - ${problems.join('\n  - ')}`,
    );
  const { runPrimary } = await import('./cell.primary.js');
  runPrimary(plan, env, logger);
}

try {
  await main();
} catch (e) {
  const known =
    e instanceof ConfigError ||
    e instanceof ServiceListError ||
    e instanceof CellSettingsError ||
    e instanceof CellStartError;
  if (!known) logger.fatal({ err: e }, `cell failed to start: ${(e as Error).message}`);
  process.stderr.write(`${(e as Error).message}\n`);
  // Let the log lines flush before exiting.
  await new Promise((resolve) => setImmediate(resolve));
  process.exit(1);
}
