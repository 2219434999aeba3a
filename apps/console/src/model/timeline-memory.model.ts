import type { TaskEvent } from './event-log';
import type { CardBase } from './timeline-card.model';

type RecalledEvent = Extract<TaskEvent, { name: 'orchestrator.memory.recalled' }>;
export type RecalledItem = RecalledEvent['data']['items'][number];

/**
 * What long-term memory recalled for the task before its first planning round
 * (`orchestrator.memory.recalled`, docs/memory.md): which items, how well and how they matched —
 * never what they say (the event does not carry it; the run record keeps it for replay).
 */
export interface RecalledCardFields {
  kind: 'recalled';
  count: number;
  items: RecalledItem[];
}

export type RecalledCard = CardBase & RecalledCardFields;

export function recalled(b: CardBase, e: RecalledEvent): RecalledCard {
  return { ...b, kind: 'recalled', count: e.data.count, items: e.data.items };
}

/** How the items were found, in words: "by meaning", "by words", or both when some fell back to words. */
export function recalledHow(items: readonly Pick<RecalledItem, 'matchedBy'>[]): string {
  const ways = new Set(items.map((i) => i.matchedBy).filter((m) => m !== undefined));
  if (ways.size === 0) return '';
  if (ways.size === 2) return 'by meaning and by words';
  return ways.has('meaning') ? 'by meaning' : 'by words';
}

/** The card's title: "Recalled from memory: 1 item (by words)". */
export function recalledTitle(c: Pick<RecalledCardFields, 'count' | 'items'>): string {
  const how = recalledHow(c.items);
  return `Recalled from memory: ${c.count} item${c.count === 1 ? '' : 's'}${how ? ` (${how})` : ''}`;
}
