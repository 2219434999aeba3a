import type { EnvVars } from '@switchboard/config';
import type { ServiceName } from '@switchboard/contracts';
import { localCommands } from '@switchboard/messaging';
import { type Logger, Metrics, type MetricsJson, scrapePeers } from '@switchboard/observability';
import type { RunningService } from '@switchboard/runtime';
import { type CellMessage, isCellMessage } from './cell-messages.js';
import { defineServices, startServices, stopServices } from './cell.runner.js';
import { type DefineService, loadDefinition } from './service-definitions.js';

/** One cell of several: its number, and the channel to the primary that supervises it. */
export interface CellOfSeveral {
  n: number;
  send(message: CellMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** How long a scrape waits for the primary to bring the other cells' metrics (it waits 2 s for them). */
const SCRAPE_WAIT_MS = 3_000;

/**
 * Runs the cell: `services` in this process, each from its own view of `env`, stopped gracefully on
 * SIGTERM/SIGINT. As one of several cells (`of`), it also tells the primary once it is ready and
 * lets a scrape of its ports answer for every cell (the cells take a port's connections in turn).
 */
export async function runCell(
  services: ServiceName[],
  opts: { env: EnvVars; inProcessBus: boolean; logger: Logger; of?: CellOfSeveral },
): Promise<void> {
  const { env, logger, of } = opts;
  // before any service starts: each registers its command handlers as it begins to listen
  if (opts.inProcessBus) localCommands.enable();
  const definitions = new Map<ServiceName, DefineService>();
  for (const s of services) definitions.set(s, await loadDefinition(s));
  const running = await startServices(defineServices(services, definitions, env), logger);
  const urls = Object.fromEntries(running.map((r) => [r.service, r.url]));
  stopOnSignals(running, logger);
  if (of) joinCells(of, running);
  logger.info(
    {
      services,
      inProcessBus: opts.inProcessBus ? 'on' : 'off',
      urls,
      ...(of ? { cell: of.n } : {}),
    },
    `${of ? `cell ${of.n}` : 'cell'} ready: ${services.join(', ')}`,
  );
  of?.send({ type: 'sb:cell-ready', urls });
}

/** Answers the primary's requests for this cell's metrics, and asks it for the others' on a scrape. */
function joinCells(of: CellOfSeveral, running: RunningService[]): void {
  const metricsOf = (service: string) =>
    running.find((r) => r.service === service)?.app.get(Metrics, { strict: false });
  const waiting = new Map<number, (metrics: MetricsJson[]) => void>();
  let next = 1;
  of.onMessage((m) => {
    if (!isCellMessage(m)) return;
    if (m.type === 'sb:scraped') waiting.get(m.id)?.(m.metrics);
    else if (m.type === 'sb:collect')
      void (metricsOf(m.service)?.json() ?? Promise.resolve(undefined)).then(
        (metrics) => of.send({ type: 'sb:collected', id: m.id, ...(metrics ? { metrics } : {}) }),
        () => of.send({ type: 'sb:collected', id: m.id }),
      );
  });
  scrapePeers(
    (service) =>
      new Promise((resolve) => {
        const id = next++;
        const timer = setTimeout(() => done([]), SCRAPE_WAIT_MS);
        const done = (metrics: MetricsJson[]) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(metrics);
        };
        waiting.set(id, done);
        of.send({ type: 'sb:scrape', id, service });
      }),
  );
}

/** One handler for the process: every service stops gracefully, the gateway first. */
function stopOnSignals(running: RunningService[], logger: Logger): void {
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
