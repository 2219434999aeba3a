import type { MetricsJson } from '@switchboard/observability';
import {
  type CellMessage,
  type CellsReady,
  isCellMessage,
  type ServiceUrls,
} from './cell-messages.js';

/** One cell as the supervisor sees it: a cluster worker, or a fake in the unit specs. */
export interface CellProcess {
  readonly pid: number | undefined;
  send(message: CellMessage): void;
  kill(signal: NodeJS.Signals): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

/** What the supervisor logs with (pino's shape). */
export interface SupervisorLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

export interface SupervisorDeps {
  /** Starts cell `n` (1-based). */
  fork(n: number): CellProcess;
  log: SupervisorLog;
  /** Ends the supervising process (process.exit). */
  exit(code: number): void;
  now?: () => number;
  /** Runs `fn` after `ms`; returns what cancels it. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** How long a scrape waits for the other cells' metrics (default 2 s): one that is late is left out. */
  scrapeTimeoutMs?: number;
  /** Once every cell has been ready the first time. */
  onReady?: (ready: CellsReady) => void;
}

/** A cell that dies less than this after it was ready (or before) died soon: a second time in a row, it backs off. */
export const HEALTHY_MS = 60_000;
/** Restart delays after deaths soon after a start, the first excepted: 1 s, 2 s, 4 s … at most 30 s. */
export const FIRST_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 30_000;

interface Slot {
  n: number;
  process?: CellProcess;
  pid?: number;
  readyAt?: number;
  quickDeaths: number;
  urls: ServiceUrls;
  cancelRestart?: () => void;
}

interface PendingScrape {
  from: Slot;
  id: number;
  waiting: Set<number>;
  metrics: MetricsJson[];
  cancelTimeout: () => void;
}

/**
 * The primary of several cells: starts the first, then the others once it is ready (a setting that
 * stops a cell is then reported once, and the first cell has the machine to itself while it starts);
 * stops them all and exits 1 if one dies before all were ready; afterwards starts a cell that dies
 * again in its place — at once, then with a growing delay while it keeps dying soon after it starts —
 * and stops them all gracefully on SIGTERM/SIGINT (a second SIGINT exits at once: the cells, their
 * channel to this process gone, exit with it). It also carries the metrics of one service from every
 * cell to the cell whose port was scraped (docs/operations.md "Every core: several cells").
 */
export class CellSupervisor {
  private readonly slots: Slot[];
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private allReady = false;
  private stopping = false;
  private clean = true;
  private nextScrape = 1;
  private readonly scrapes = new Map<number, PendingScrape>();

  constructor(
    count: number,
    private readonly deps: SupervisorDeps,
  ) {
    this.slots = Array.from({ length: count }, (_, i) => ({ n: i + 1, quickDeaths: 0, urls: {} }));
    this.now = deps.now ?? Date.now;
    this.schedule =
      deps.schedule ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      });
  }

  start(): void {
    this.launch(this.slots[0] as Slot);
  }

  /** The PIDs of the cells running now, in cell order. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.process && s.pid !== undefined ? [s.pid] : []));
  }

  /** SIGTERM/SIGINT: every cell stops gracefully; the process exits once all have. */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) {
      if (signal !== 'SIGINT') return;
      this.deps.log.warn({ signal }, 'cells stopping at once (second signal)');
      this.deps.exit(1);
      return;
    }
    this.stopping = true;
    this.deps.log.info({ signal, cells: this.pids() }, 'cells stopping: each finishes its work');
    for (const slot of this.slots) {
      slot.cancelRestart?.();
      slot.process?.kill('SIGTERM');
    }
    this.exitIfAllGone();
  }

  private launch(slot: Slot): void {
    slot.cancelRestart = undefined;
    slot.readyAt = undefined;
    const cell = this.deps.fork(slot.n);
    slot.process = cell;
    slot.pid = cell.pid;
    cell.onMessage((m) => {
      if (isCellMessage(m)) this.onMessage(slot, m);
    });
    cell.onExit((code, signal) => this.onExit(slot, cell, code, signal));
    this.deps.log.info(
      { cell: slot.n, pid: cell.pid },
      `cell ${slot.n} starting (pid ${cell.pid})`,
    );
  }

  private onMessage(slot: Slot, m: CellMessage): void {
    if (m.type === 'sb:cell-ready') this.onReady(slot, m.urls);
    else if (m.type === 'sb:scrape') this.scrape(slot, m.id, m.service);
    else if (m.type === 'sb:collected') this.collected(slot, m.id, m.metrics);
  }

  private onReady(slot: Slot, urls: ServiceUrls): void {
    slot.readyAt = this.now();
    slot.urls = urls;
    if (this.stopping) return;
    if (this.allReady) {
      this.deps.log.info({ cell: slot.n, pid: slot.pid }, `cell ${slot.n} ready again`);
      return;
    }
    if (slot.n === 1) for (const s of this.slots.slice(1)) this.launch(s);
    if (this.slots.some((s) => s.readyAt === undefined)) return;
    this.allReady = true;
    const ready: CellsReady = {
      cells: this.slots.length,
      pids: this.pids(),
      urls: Object.assign({}, ...this.slots.map((s) => s.urls)) as ServiceUrls,
    };
    this.deps.log.info(ready, `cells ready: ${ready.cells} cells (pids ${ready.pids.join(', ')})`);
    this.deps.onReady?.(ready);
  }

  private onExit(
    slot: Slot,
    cell: CellProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (slot.process !== cell) return;
    const how = signal ?? `code ${code}`;
    const wasReady = slot.readyAt !== undefined;
    const readyFor = wasReady ? this.now() - (slot.readyAt as number) : 0;
    slot.process = undefined;
    slot.readyAt = undefined;
    for (const pending of this.scrapes.values()) this.collected(slot, pending.id, undefined);
    if (this.stopping) {
      if (!(code === 0 || signal === 'SIGTERM')) this.clean = false;
      this.deps.log.info({ cell: slot.n, pid: slot.pid, exit: how }, `cell ${slot.n} stopped`);
      this.exitIfAllGone();
      return;
    }
    if (!this.allReady) {
      this.deps.log.error(
        { cell: slot.n, pid: slot.pid, exit: how },
        `cell ${slot.n} exited (${how}) before it was ready: stopping the others`,
      );
      this.clean = false;
      this.stop('SIGTERM');
      return;
    }
    // Consecutive deaths soon after a start: the first is started again at once, the next ones later.
    slot.quickDeaths = readyFor >= HEALTHY_MS ? 0 : slot.quickDeaths + 1;
    const delay =
      slot.quickDeaths <= 1
        ? 0
        : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (slot.quickDeaths - 2));
    this.deps.log.warn(
      { cell: slot.n, pid: slot.pid, exit: how, restartInMs: delay },
      `cell ${slot.n} (pid ${slot.pid}) exited (${how}): starting it again${delay ? ` in ${delay / 1000} s` : ''}`,
    );
    if (delay === 0) this.launch(slot);
    else slot.cancelRestart = this.schedule(() => this.launch(slot), delay);
  }

  private exitIfAllGone(): void {
    if (this.slots.some((s) => s.process)) return;
    this.deps.log.info({ clean: this.clean }, 'cells stopped');
    this.deps.exit(this.clean ? 0 : 1);
  }

  /** A cell's port was scraped: every other ready cell's metrics of that service, for it to add. */
  private scrape(from: Slot, id: number, service: string): void {
    const others = this.slots.filter((s) => s !== from && s.process && s.readyAt !== undefined);
    const key = this.nextScrape++;
    const pending: PendingScrape = {
      from,
      id,
      waiting: new Set(others.map((s) => s.n)),
      metrics: [],
      cancelTimeout: () => undefined,
    };
    this.scrapes.set(key, pending);
    pending.cancelTimeout = this.schedule(
      () => this.answer(key),
      this.deps.scrapeTimeoutMs ?? 2_000,
    );
    for (const s of others) s.process?.send({ type: 'sb:collect', id: key, service });
    if (pending.waiting.size === 0) this.answer(key);
  }

  private collected(slot: Slot, key: number, metrics: MetricsJson | undefined): void {
    const pending = this.scrapes.get(key);
    if (!pending || !pending.waiting.delete(slot.n)) return;
    if (metrics) pending.metrics.push(metrics);
    if (pending.waiting.size === 0) this.answer(key);
  }

  private answer(key: number): void {
    const pending = this.scrapes.get(key);
    if (!pending) return;
    this.scrapes.delete(key);
    pending.cancelTimeout();
    pending.from.process?.send({ type: 'sb:scraped', id: pending.id, metrics: pending.metrics });
  }
}
