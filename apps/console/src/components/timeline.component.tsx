import { useMemo } from 'preact/hooks';
import type { TaskEvent } from '../model/event-log';
import { forkAtOf } from '../model/fork-form';
import { buildTimeline, type Card } from '../model/timeline.model';
import { EventCard } from './event-card.component';
import type { ForkSource } from './fork-editor.component';
import { VirtualList } from './virtual-list.component';

/**
 * A task's events as a timeline of cards, virtualised (thousands of events scroll smoothly). With
 * `fork` (the task has ended), each step and planning round card offers "Fork from here".
 */
export function Timeline({
  events,
  follow,
  fork,
}: {
  events: readonly TaskEvent[];
  follow?: boolean;
  fork?: ForkSource | undefined;
}) {
  const cards = useMemo(() => buildTimeline(events), [events]);
  if (cards.length === 0) return <p class="muted">No events yet.</p>;
  return (
    <VirtualList<Card>
      items={cards}
      keyOf={(c) => c.key}
      render={(c) => {
        const at = fork ? forkAtOf(c, cards) : undefined;
        return <EventCard card={c} fork={fork && at ? { source: fork, at } : undefined} />;
      }}
      label="Timeline"
      follow={follow ?? false}
      className="timeline"
    />
  );
}
