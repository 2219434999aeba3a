import type { MetricsJson } from '@switchboard/observability';

// What the primary of several cells and its cells tell each other over their IPC channel (Node's
// cluster). Every type starts with `sb:`; anything else on the channel is not ours and is ignored.

/** Where each service of a cell listens (its `cell ready` line says the same). */
export type ServiceUrls = Record<string, string>;

/** The line the primary logs, and what it knows, once every cell has been ready. */
export interface CellsReady {
  cells: number;
  pids: number[];
  urls: ServiceUrls;
}

export type CellMessage =
  /** cell → primary: its services are listening. */
  | { type: 'sb:cell-ready'; urls: ServiceUrls }
  /** cell → primary: its port of `service` was scraped; `id` is the cell's own. */
  | { type: 'sb:scrape'; id: number; service: string }
  /** primary → cell: send your metrics of `service`; `id` is the primary's. */
  | { type: 'sb:collect'; id: number; service: string }
  /** cell → primary: its metrics of the service asked for (none: it does not run it). */
  | { type: 'sb:collected'; id: number; metrics?: MetricsJson }
  /** primary → cell: the other cells' metrics for its scrape `id`. */
  | { type: 'sb:scraped'; id: number; metrics: MetricsJson[] };

const TYPES = new Set(['sb:cell-ready', 'sb:scrape', 'sb:collect', 'sb:collected', 'sb:scraped']);

export function isCellMessage(m: unknown): m is CellMessage {
  return typeof m === 'object' && m !== null && TYPES.has(String((m as { type?: unknown }).type));
}
