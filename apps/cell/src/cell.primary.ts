import type { EnvVars } from '@switchboard/config';
import type { Logger } from '@switchboard/observability';
import cluster from 'node:cluster';
import type { CellPlan } from './cell-plan.js';
import { cellSettings } from './cell-plan.js';
import { type CellProcess, CellSupervisor } from './cell.supervisor.js';

/**
 * The primary of several cells (Node's cluster): it runs no service itself. Each cell is a worker
 * forked from this same entry point with its own settings (cellSettings); the workers' listeners
 * share this process' sockets, which hands each new connection of a port to the next cell listening
 * on it (cluster's round-robin). The primary restarts a cell that dies and stops them all on
 * SIGTERM/SIGINT (CellSupervisor); a cell exits by itself once the primary is gone, even killed with
 * -9: Node ends a worker whose channel to its primary closes.
 */
export function runPrimary(plan: CellPlan, env: EnvVars, logger: Logger): CellSupervisor {
  const fork = (n: number): CellProcess => {
    const worker = cluster.fork(cellSettings(env, n, plan.cells[n - 1] ?? []));
    return {
      pid: worker.process.pid,
      send: (message) => {
        // a cell that has just died cannot be told anything; its exit is handled on its own
        if (worker.isConnected()) worker.send(message);
      },
      kill: (signal) => worker.process.kill(signal),
      onMessage: (listener) => worker.on('message', listener),
      onExit: (listener) => worker.on('exit', listener),
    };
  };
  const supervisor = new CellSupervisor(plan.cells.length, {
    fork,
    log: logger,
    exit: (code) => {
      // Let the last log lines flush before exiting.
      setImmediate(() => process.exit(code));
    },
  });
  process.on('SIGTERM', () => supervisor.stop('SIGTERM'));
  process.on('SIGINT', () => supervisor.stop('SIGINT'));
  logger.info(
    { cells: plan.cells.length, services: plan.cells.map((c) => c.join(',')) },
    `cells starting: ${plan.cells.length} cells (${plan.cells[0]?.join(', ')} in the first; ${plan.cells[1]?.join(', ')} in every other)`,
  );
  supervisor.start();
  return supervisor;
}
