import { matchedWords, namespaceWords, scoreWords } from '../model/memory';
import type { RecalledCard } from '../model/timeline-memory.model';

/**
 * The items memory recalled for a task, as the event names them: namespace, id, score and how they
 * matched. Not what they say: the event does not carry content (the Memory view shows one's own).
 */
export function RecalledBody({ card }: { card: RecalledCard }) {
  return (
    <div>
      <ul class="recalled-items">
        {card.items.map((i) => (
          <li key={i.id} data-item={i.id}>
            <code>{namespaceWords(i.namespace)}</code> · item <code>{i.id.slice(0, 8)}</code> ·{' '}
            {matchedWords(i.matchedBy)}, score {scoreWords(i.score)}
          </li>
        ))}
      </ul>
      <p class="muted">
        Offered to the planner before its first round. What they say is not shown here:{' '}
        <a href="#/memory">Memory</a> lists your own.
      </p>
    </div>
  );
}
