import { type CellService, startCell } from './cell.js';
import { freePort } from './processes.js';
import type { ServiceHandle } from './services.js';

/**
 * A stack's services as one cell (apps/cell: one Node process, each service with its own settings and
 * port), the shape `npm run up` gives users. Each service's handle is a view of that one process:
 * its own URL and port, the cell's PID, log and stop — stopping one stops the cell.
 */
export interface StackCell {
  services: Record<string, ServiceHandle>;
  /**
   * Stops the cell and starts it again on the same ports, `overrides` added to `name`'s own settings:
   * those of an earlier restart are dropped, as when one service of a stack is restarted alone.
   */
  restart(name: string, overrides: Record<string, string>): Promise<Record<string, ServiceHandle>>;
}

/**
 * `entry`: another build's cell (a benchmark's baseline); this checkout's by default. `cells`: SB_CELLS
 * (1 by default; more share each service's port, so each gets a free one picked here first).
 */
export async function startStackCell(
  names: string[],
  envOf: (name: string) => Record<string, string>,
  logDir: string,
  entry?: string,
  cells?: number | 'auto',
): Promise<StackCell> {
  const overrides: Record<string, Record<string, string>> = {};
  let ports: Partial<Record<CellService, number>> | undefined =
    cells === undefined || cells === 1 ? undefined : await distinctPorts(names as CellService[]);
  let services: Record<string, ServiceHandle> = {};
  const start = async () => {
    const own = Object.fromEntries(
      names.map((n) => [n, { LOG_LEVEL: 'info', ...envOf(n), ...overrides[n] }]),
    ) as Partial<Record<CellService, Record<string, string>>>;
    const cell = await startCell({
      name: 'cell',
      logDir,
      services: own,
      ...(ports ? { ports } : {}),
      ...(entry ? { entry } : {}),
      ...(cells === undefined ? {} : { cells }),
    });
    services = {};
    ports = {};
    for (const n of names as CellService[]) {
      const url = cell.urls[n];
      if (!url) throw new Error(`the cell did not say where ${n} listens`);
      const port = Number(new URL(url).port);
      ports[n] = port;
      services[n] = { ...cell.process, name: n, url, port, env: own[n] ?? {} };
    }
    return services;
  };
  await start();
  return {
    get services() {
      return services;
    },
    restart: async (name, extra) => {
      await Object.values(services)[0]?.stop();
      overrides[name] = extra;
      return start();
    },
  };
}

/** A free port for each service, no two alike. */
async function distinctPorts(names: CellService[]): Promise<Partial<Record<CellService, number>>> {
  const ports: Partial<Record<CellService, number>> = {};
  const taken = new Set<number>();
  for (const n of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[n] = port;
  }
  return ports;
}
