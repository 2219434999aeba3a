import type { Tasks } from '@switchboard/contracts';
import { divergenceWhere, verdictWords } from '../model/replay';
import { JsonView } from './json-view.component';
import { ComparedNotice } from './notice.component';

/** A replay's verdict as a badge: "identical" (green) or "diverged at step 1" (red). */
export function VerdictBadge({ verdict }: { verdict: Tasks.ReplayVerdict }) {
  const w = verdictWords(verdict);
  return (
    <span
      class={`badge ${w.identical ? 'badge-identical' : 'badge-diverged'}`}
      data-identical={String(w.identical)}
    >
      {w.badge}
    </span>
  );
}

/** The verdict card's body: in words, then what the record expected and what the replay did there. */
export function VerdictBody({ verdict }: { verdict: Tasks.ReplayVerdict }) {
  const w = verdictWords(verdict);
  const d = verdict.divergence;
  return (
    <div>
      <p>
        <VerdictBadge verdict={verdict} /> {w.text}
      </p>
      {w.summary && <p class="muted">{w.summary}</p>}
      {d && !verdict.identical && (
        <>
          <JsonView label={`Expected at ${divergenceWhere(d)} (the record)`} value={d.expected} />
          <JsonView label="Got (this replay)" value={d.got} />
        </>
      )}
      {verdict.notes?.map((n, i) => (
        <p key={i} class="muted">
          Note: {n}
        </p>
      ))}
    </div>
  );
}

/** The verdict at the top of a replay's page, highlighted: identical, or its first divergence. */
export function VerdictNotice({ verdict }: { verdict: Tasks.ReplayVerdict }) {
  const w = verdictWords(verdict);
  return (
    <ComparedNotice class="verdict-notice" identical={w.identical} unlike="Diverged." words={w} />
  );
}
