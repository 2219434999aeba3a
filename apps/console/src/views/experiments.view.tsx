import { useState } from 'preact/hooks';
import { DataTable } from '../components/data-table.component';
import { plainOptions, SelectField, versionOptions } from '../components/select-field.component';
import { describeError, useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import {
  type ExperimentForm,
  experimentBody,
  scoreWords,
  verdictWords,
} from '../model/evaluations';
import { formatDateTime } from '../model/format';
import { hrefOf } from '../router';
import { ExperimentSideBySide } from './experiment.component';

/**
 * Experiments (docs/evaluations.md): start one — a dataset run on an agent version against a
 * baseline, scored — the list, and one experiment side by side with its baseline.
 */
export function ExperimentsView({ experimentId }: { experimentId?: string | undefined }) {
  const { client } = useSession();
  const list = useLoad(
    async (signal) => (await client.evaluations.experiments({ signal })).experiments,
    [experimentId],
  );
  return (
    <Page id="experiments" title="Experiments">
      <p class="muted">
        An experiment runs every item of a dataset again on an agent version, its tool calls
        answered from the recorded task and never executed, and compares it item by item with a
        baseline.
      </p>
      {experimentId && <ExperimentSideBySide key={experimentId} experimentId={experimentId} />}
      <ErrorNotice error={list.error} />
      {list.data && list.data.length === 0 && (
        <p class="muted experiments-none">No experiments yet.</p>
      )}
      {(list.data ?? []).length > 0 && (
        <DataTable
          class="table experiments"
          caption="Experiments, newest first"
          columns={['Started', 'Dataset', 'Version', 'Status', 'Mean', 'Against the baseline']}
        >
          {(list.data ?? []).map((e) => (
            <tr key={e.experimentId} data-experiment={e.experimentId}>
              <td>
                <a href={hrefOf({ view: 'experiments', experimentId: e.experimentId })}>
                  {formatDateTime(e.createdAt)}
                </a>
              </td>
              <td>
                {e.dataset} (v{e.datasetVersion})
              </td>
              <td>
                {e.agent} v{e.version}
                {e.baselineVersion ? ` vs v${e.baselineVersion}` : ''}
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td>{scoreWords(e.mean)}</td>
              <td>{verdictWords(e)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <StartExperiment />
    </Page>
  );
}

const EMPTY: ExperimentForm = {
  dataset: '',
  agent: '',
  version: '',
  baseline: 'production',
  scorers: { trajectory: 'strict', answer: '', rubric: '' },
};

/** The form that starts an experiment; on success the page opens it. */
function StartExperiment() {
  const { client } = useSession();
  const options = useLoad(async (signal) => {
    const [d, a] = await Promise.all([
      client.evaluations.datasets({ signal }),
      client.agentConfigs.list({ signal }),
    ]);
    return { datasets: d.datasets.map((x) => x.name), agents: a.agents };
  }, []);
  const [form, setForm] = useState<ExperimentForm>(EMPTY);
  const [error, setError] = useState<string>();
  const datasets = options.data?.datasets ?? [];
  const agents = options.data?.agents ?? [];
  // Until chosen: the first dataset, the first agent and its newest version.
  const agent = agents.find((a) => a.agent === form.agent) ?? agents[0];
  const shown: ExperimentForm = {
    ...form,
    dataset: form.dataset || datasets[0] || '',
    agent: agent?.agent ?? '',
    version: form.version || String(agent?.latestVersion ?? ''),
  };
  const field =
    (k: 'dataset' | 'agent' | 'version' | 'baseline') =>
    (e: { currentTarget: { value: string } }) =>
      setForm({ ...shown, ...(k === 'agent' ? { version: '' } : {}), [k]: e.currentTarget.value });
  const scorer =
    (k: keyof ExperimentForm['scorers']) => (e: { currentTarget: { value: string } }) =>
      setForm({ ...shown, scorers: { ...shown.scorers, [k]: e.currentTarget.value } });
  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = experimentBody(shown);
    if (!checked.ok) return setError(`${checked.field}: ${checked.error}`);
    try {
      const started = await client.evaluations.startExperiment(checked.body);
      location.hash = hrefOf({ view: 'experiments', experimentId: started.experimentId });
    } catch (err) {
      setError(describeError(err));
    }
  };
  const versions = Array.from({ length: agent?.latestVersion ?? 0 }, (_, i) => String(i + 1));
  return (
    <form
      class="schedule-form experiment-form"
      aria-labelledby="new-experiment"
      onSubmit={(e) => void submit(e)}
    >
      <h2 id="new-experiment">New experiment</h2>
      <ErrorNotice error={options.error} />
      <SelectField
        label="Dataset"
        value={shown.dataset}
        options={plainOptions(datasets)}
        onChange={field('dataset')}
      />
      <SelectField
        label="Agent"
        value={shown.agent}
        options={plainOptions(agents.map((a) => a.agent))}
        onChange={field('agent')}
      />
      <SelectField
        label="Version"
        value={shown.version}
        options={versionOptions([...versions].reverse())}
        onChange={field('version')}
      />
      <label>
        Baseline (a version number or a label; empty: none)
        <input value={shown.baseline} onInput={field('baseline')} />
      </label>
      <ScorerFields scorers={shown.scorers} set={scorer} />
      <button type="submit">Start experiment</button>
      <ErrorNotice error={error} />
    </form>
  );
}

type ScorerSetter = (
  k: keyof ExperimentForm['scorers'],
) => (e: { currentTarget: { value: string } }) => void;

const TRAJECTORY_SCORERS = [
  { value: '', label: 'not scored' },
  { value: 'strict', label: 'strict' },
  { value: 'in-order', label: 'in order' },
  { value: 'any-order', label: 'any order' },
  { value: 'subset', label: 'subset' },
  { value: 'superset', label: 'superset' },
];

const ANSWER_SCORERS = [
  { value: '', label: 'not scored' },
  { value: 'exact', label: 'exact' },
  { value: 'contains', label: 'contains' },
];

/** The scorers an experiment may use: the tool trajectory, the answer, a judge. */
function ScorerFields({ scorers, set }: { scorers: ExperimentForm['scorers']; set: ScorerSetter }) {
  return (
    <fieldset>
      <legend>Scorers</legend>
      <SelectField
        label="Tool trajectory"
        value={scorers.trajectory}
        options={TRAJECTORY_SCORERS}
        onChange={set('trajectory')}
      />
      <SelectField
        label="Answer"
        value={scorers.answer}
        options={ANSWER_SCORERS}
        onChange={set('answer')}
      />
      <label>
        Judge’s rubric (empty: no judge)
        <textarea rows={2} value={scorers.rubric} onInput={set('rubric')} />
      </label>
    </fieldset>
  );
}
