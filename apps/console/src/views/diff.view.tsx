import type { Tasks } from '@switchboard/contracts';
import { useMemo, useRef } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { JsonView } from '../components/json-view.component';
import { useLoad } from '../components/load.hook';
import { ComparedNotice, ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { useSession } from '../context';
import { type DiffSide, diffHeadline, diffRows, sideName, summaryRows } from '../model/diff';
import { shortId } from '../model/replay';
import { hrefOf } from '../router';

/**
 * Two runs of a task side by side (`GET /tasks/{a}/diff/{b}`, `#/diff/<a>/<b>`): their answers, tokens,
 * cost and time on top, then what each did at each position — the input check, each planning round's
 * decision, each step, the end — with the first position where they differ highlighted.
 */
export function DiffView({ a, b }: { a: string; b: string }) {
  const { client } = useSession();
  const diff = useLoad((signal) => client.tasks.diff(a, b, { signal }), [a, b]);
  return (
    <Page
      id="diff"
      title={
        <>
          Compare task {shortId(a)} with task {shortId(b)}
        </>
      }
    >
      <ErrorNotice error={diff.error} />
      {!diff.data && !diff.error && <p class="muted">Reading…</p>}
      {diff.data && <DiffBody view={diff.data} />}
    </Page>
  );
}

function DiffBody({ view }: { view: Tasks.TaskDiffView }) {
  const rows = useMemo(() => diffRows(view), [view]);
  const names = [sideName(view.a, view.b), sideName(view.b, view.a)] as const;
  const first = useRef<HTMLTableRowElement>(null);
  const heads = [
    { side: view.a, name: names[0], letter: 'A' },
    { side: view.b, name: names[1], letter: 'B' },
  ];
  return (
    <>
      <ComparedNotice
        class="diff-headline"
        identical={view.identical}
        unlike="Different."
        words={diffHeadline(view)}
      >
        {!view.identical && rows.some((r) => r.first) && (
          <button type="button" class="link" onClick={() => first.current?.focus()}>
            Show the first divergence
          </button>
        )}
      </ComparedNotice>
      <SummaryTable view={view} names={names} />
      <h2>Side by side</h2>
      <DataTable
        class="table diff-table"
        caption="What each run did at each position, aligned"
        columns={[
          'Where',
          ...heads.map((h) => (
            <>
              {h.letter}: <a href={hrefOf({ view: 'run', taskId: h.side.taskId })}>{h.name}</a>
            </>
          )),
        ]}
      >
        {rows.map((r) => (
          <tr
            key={r.key}
            ref={r.first ? first : undefined}
            tabIndex={r.first ? -1 : undefined}
            class={r.first ? 'diff-first' : r.same ? 'diff-same' : 'diff-differs'}
            data-same={String(r.same)}
            data-first={r.first ? 'true' : undefined}
          >
            <th scope="row">
              {r.label}
              {r.first && <span class="badge badge-diverged">first divergence</span>}
              {!r.same && !r.first && <span class="badge badge-differs">differs</span>}
              {r.what && <span class="diff-what">{r.what}</span>}
            </th>
            <td class="diff-a">
              <DiffCell side={r.a} />
            </td>
            <td class="diff-b">
              <DiffCell side={r.b} />
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

function DiffCell({ side }: { side: DiffSide }) {
  if (!side.reached) return <span class="muted">— {side.title}</span>;
  return (
    <div>
      <p class="diff-title">{side.title}</p>
      {side.parts.map((part) => (
        <JsonView key={part.label} label={part.label} value={part.value} />
      ))}
    </div>
  );
}

/** Answers, status, rounds, steps, tokens, cost and time of both runs; a value that differs is marked. */
function SummaryTable({
  view,
  names,
}: {
  view: Tasks.TaskDiffView;
  names: readonly [string, string];
}) {
  return (
    <DataTable
      class="table diff-summary"
      caption="The two runs' results and costs"
      columns={[<span class="sr-only">What</span>, <>A: {names[0]}</>, <>B: {names[1]}</>]}
    >
      {summaryRows(view.a, view.b).map((r) => (
        <tr key={r.label} class={r.differs ? 'diff-differs' : undefined} data-row={r.label}>
          <th scope="row">
            {r.label}
            {r.differs && <span class="sr-only"> (differs)</span>}
          </th>
          <td>{r.a}</td>
          <td>{r.b}</td>
        </tr>
      ))}
    </DataTable>
  );
}
