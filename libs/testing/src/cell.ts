import { envPrefix } from '@switchboard/config';
import { type ManagedProcess, spawnManaged } from './processes.js';
import { repoRoot } from './repo.js';
import { waitFor } from './wait-for.js';
import { join } from 'node:path';

// Starting a cell (apps/cell: several services in one Node process) the way `npm run up` does: each
// service's own settings as <SERVICE>__<KEY>, each on a port of its own.

const CELL_ENTRY = join(repoRoot, 'dist/apps/cell/src/main.js');

export const CELL_SERVICES = [
  'audit',
  'mcp-tools',
  'orchestrator',
  'a2a',
  'xmpp-bridge',
  'gateway',
] as const;
export type CellService = (typeof CELL_SERVICES)[number];

/** `<SERVICE>__`: where a service of a cell reads its own settings (libs/config/src/cell-env.ts). */
export const cellPrefix = (s: CellService) => envPrefix(s);

export interface RunningCell {
  process: ManagedProcess;
  /** Where each of its services listens, as its `cell ready` line says. */
  urls: Partial<Record<CellService, string>>;
  /**
   * Several cells (`cells` > 1): the PIDs of the cells under `process`, their primary, as its `cells
   * ready` line names them; [] for one cell, which is `process` itself.
   */
  cellPids: number[];
}

/**
 * Starts a cell running `services` (each with its own settings) and resolves once every one of them
 * answers /readiness. Each service gets port 0 — a free port from the system, so no other test's
 * process can take it between a pick and the listen — unless `ports` names one (a cell started again
 * where its clients expect it) or its own settings do (a client configured before it starts).
 */
export async function startCell(opts: {
  name: string;
  logDir: string;
  services: Partial<Record<CellService, Record<string, string>>>;
  ports?: Partial<Record<CellService, number>>;
  /** The cell's entry point (another checkout's build); default this repository's. */
  entry?: string;
  /**
   * SB_CELLS: how many cells (the default `auto` of `npm run up` is one per core but one). 1 unless a test
   * asks for more: one process is what most tests need, and what the suite's time budget allows.
   * Several share each service's port, so none may be 0: give them in `ports`.
   */
  cells?: number | 'auto';
}): Promise<RunningCell> {
  const names = Object.keys(opts.services) as CellService[];
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    SB_SERVICES: names.length === CELL_SERVICES.length ? 'all' : names.join(','),
    SB_CELLS: String(opts.cells ?? 1),
  };
  for (const s of names)
    for (const [k, v] of Object.entries({
      ...opts.services[s],
      PORT: String(opts.ports?.[s] ?? opts.services[s]?.['PORT'] ?? 0),
    }))
      env[`${cellPrefix(s)}${k}`] = v;
  // Without --enable-source-maps, as `npm run up` runs it (services.ts says why).
  const cell = spawnManaged(process.execPath, [opts.entry ?? CELL_ENTRY], {
    env,
    cwd: repoRoot,
    name: opts.name,
    logDir: opts.logDir,
  });
  // A cell started again appends to its log: only what this one writes counts.
  const from = cell.logs().length;
  let exited: number | string | undefined;
  void cell.exited.then((code) => (exited = code));
  try {
    // One cell says `cell ready`; the primary of several `cells ready` once every cell has.
    const { urls, pids } = await waitFor(
      () => {
        if (exited !== undefined) throw new Error(`the cell exited (${exited}):\n${cell.logs()}`);
        const ready = cell
          .logs()
          .slice(from)
          .split('\n')
          .find((l) => l.includes('"msg":"cell ready') || l.includes('"msg":"cells ready'));
        return ready
          ? (JSON.parse(ready) as { urls: RunningCell['urls']; pids?: number[] })
          : undefined;
      },
      { timeoutMs: 90_000, what: `the cell ${opts.name} ready`, intervalMs: 100 },
    );
    await waitFor(
      async () => {
        const ready = await Promise.all(
          Object.values(urls).map((u) =>
            fetch(`${u}/readiness`).then(
              (r) => r.status === 200,
              () => false,
            ),
          ),
        );
        return ready.every(Boolean) || undefined;
      },
      { timeoutMs: 15_000, what: `every service's /readiness in ${opts.name}`, intervalMs: 100 },
    );
    return { process: cell, urls, cellPids: pids ?? [] };
  } catch (e) {
    await cell.stop(2_000);
    throw e;
  }
}
