import { useMemo } from 'preact/hooks';
import type { TaskEvent } from '../model/event-log';
import { buildTimeline, type Card } from '../model/timeline.model';
import { EventCard } from './event-card.component';
import { VirtualList } from './virtual-list.component';

/** A task's events as a timeline of cards, virtualised (thousands of events scroll smoothly). */
export function Timeline({ events, follow }: { events: readonly TaskEvent[]; follow?: boolean }) {
  const cards = useMemo(() => buildTimeline(events), [events]);
  if (cards.length === 0) return <p class="muted">No events yet.</p>;
  return (
    <VirtualList<Card>
      items={cards}
      keyOf={(c) => c.key}
      render={(c) => <EventCard card={c} />}
      label="Timeline"
      follow={follow ?? false}
      className="timeline"
    />
  );
}
