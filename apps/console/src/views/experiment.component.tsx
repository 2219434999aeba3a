import type { ExperimentView } from '@switchboard/client';
import { useEffect } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { useSession } from '../context';
import {
  aggregateRows,
  divergenceWords,
  type ExperimentRunView,
  scoreNames,
  scoreWords,
  verdictWords,
} from '../model/evaluations';

/** How often a running experiment is read again: a read once both batches ended scores it. */
const REREAD_MS = 1_000;

/**
 * One experiment against its baseline (docs/evaluations.md): the verdict, the aggregates side by
 * side, and per item each scorer's score on both, the comparison and what diverged.
 */
export function ExperimentSideBySide({ experimentId }: { experimentId: string }) {
  const { client } = useSession();
  const loaded = useLoad(
    (signal) => client.evaluations.experiment(experimentId, { signal }),
    [experimentId],
  );
  const running = loaded.data?.status === 'running';
  useEffect(() => {
    if (!running || loaded.loading) return;
    const t = setTimeout(loaded.reload, REREAD_MS);
    return () => clearTimeout(t);
  }, [running, loaded.loading, loaded.data]);
  const v = loaded.data;
  return (
    <section aria-labelledby="experiment-title" class="experiment" data-status={v?.status}>
      <h2 id="experiment-title">
        {v
          ? `${v.agent} v${v.version}${v.baselineVersion ? ` vs v${v.baselineVersion}` : ''} on ${v.dataset} (v${v.datasetVersion})`
          : `Experiment ${experimentId.slice(0, 8)}`}
      </h2>
      <ErrorNotice error={loaded.error} />
      {v && (
        <p class="experiment-verdict" role="status">
          {running ? 'Running: the page reads it again until it is scored.' : verdictWords(v)}
        </p>
      )}
      {v?.status === 'completed' && <Aggregates view={v} />}
      {v?.status === 'completed' && <Items view={v} />}
    </section>
  );
}

function Aggregates({ view }: { view: ExperimentView }) {
  return (
    <DataTable
      class="table experiment-aggregates"
      caption="Aggregates"
      captionShown
      columns={[
        'Measure',
        <>v{view.version}</>,
        view.baselineVersion ? `v${view.baselineVersion} (baseline)` : 'Baseline',
      ]}
    >
      {aggregateRows(view).map(([what, c, b]) => (
        <tr key={what} data-measure={what}>
          <th scope="row">{what}</th>
          <td>{c}</td>
          <td>{b}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function Items({ view }: { view: ExperimentView }) {
  const names = scoreNames(view);
  return (
    <DataTable
      class="table experiment-items"
      caption="Items, candidate / baseline"
      captionShown
      columns={['Task', ...names, 'Mean', 'Compared', 'Divergences']}
    >
      {view.items.map((i) => (
        <tr key={i.taskId} data-task={i.taskId} data-comparison={i.comparison ?? ''}>
          <td>
            <a href={`#/tasks/${i.taskId}`}>{i.taskId.slice(0, 8)}</a>
            {i.candidate.runTaskId && (
              <>
                {' '}
                (<a href={`#/tasks/${i.candidate.runTaskId}`}>run</a>
                {i.baseline?.runTaskId && (
                  <>
                    , <a href={`#/tasks/${i.baseline.runTaskId}`}>baseline run</a>
                  </>
                )}
                )
              </>
            )}
          </td>
          {names.map((n) => (
            <td key={n}>{pair(i.candidate.scores[n], i.baseline?.scores[n], !!i.baseline)}</td>
          ))}
          <td>{pair(i.candidate.mean, i.baseline?.mean, !!i.baseline)}</td>
          <td>
            <span class={`badge badge-${i.comparison ?? 'none'}`}>{i.comparison ?? '—'}</span>
          </td>
          <td>
            <Divergences run={i.candidate} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

const pair = (
  c: ExperimentRunView['mean'] | string | boolean,
  b: typeof c,
  withBaseline: boolean,
) => (withBaseline ? `${scoreWords(c)} / ${scoreWords(b)}` : scoreWords(c));

function Divergences({ run }: { run: ExperimentRunView }) {
  if (run.divergences.length === 0) return <>none</>;
  return (
    <ul class="divergences">
      {run.divergences.map((d, k) => (
        <li key={k}>{divergenceWords(d)}</li>
      ))}
    </ul>
  );
}
