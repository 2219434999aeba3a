import { isTaskView } from '@switchboard/client';
import { useState } from 'preact/hooks';
import { describeError, useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import {
  type DatasetForm,
  type DatasetView,
  datasetBody,
  EMPTY_DATASET_FORM,
  ruleWords,
} from '../model/evaluations';
import { formatDateTime } from '../model/format';

/**
 * Datasets (docs/evaluations.md): the tenant's lists of recorded tasks, each with its rule; a new one;
 * one dataset's items, each with the task it points at. Tasks are added from the task list or a
 * task's page.
 */
export function DatasetsView({ name }: { name?: string | undefined }) {
  const { client } = useSession();
  const list = useLoad(
    async (signal) => (await client.evaluations.datasets({ signal })).datasets,
    [],
  );
  return (
    <section aria-labelledby="datasets-title">
      <h1 id="datasets-title" tabIndex={-1}>
        Datasets
      </h1>
      <p class="muted">
        A dataset is a versioned list of recorded tasks an experiment runs again on another agent
        version. Add tasks from the task list or a task’s page, or give the dataset a rule.
      </p>
      <ErrorNotice error={list.error} />
      {list.data && list.data.length === 0 && <p class="muted datasets-none">No datasets yet.</p>}
      {(list.data ?? []).length > 0 && (
        <table class="table datasets">
          <caption class="sr-only">Datasets, by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Rule</th>
              <th scope="col">Made</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((d) => (
              <tr key={d.name} data-dataset={d.name}>
                <td>
                  <a
                    href={`#/datasets/${d.name}`}
                    aria-current={d.name === name ? 'page' : undefined}
                  >
                    {d.name}
                  </a>
                </td>
                <td>{d.version}</td>
                <td>{ruleWords(d.rule)}</td>
                <td>
                  {formatDateTime(d.createdAt)} by {d.createdBy}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {name && <DatasetItems key={name} name={name} />}
      <NewDataset onCreated={list.reload} />
    </section>
  );
}

/** One dataset's items, each with its task's text and status. */
function DatasetItems({ name }: { name: string }) {
  const { client } = useSession();
  const loaded = useLoad(
    async (signal) => {
      const dataset = await client.evaluations.dataset(name, { signal });
      // The task each item points at, read as the user (one they may no longer read shows its id).
      const tasks = await Promise.all(
        dataset.items.slice(0, 200).map((i) =>
          client.tasks.get(i.taskId, { signal }).then(
            (v) => (isTaskView(v) ? v : undefined),
            () => undefined,
          ),
        ),
      );
      return { dataset, tasks };
    },
    [name],
  );
  const d: DatasetView | undefined = loaded.data?.dataset;
  return (
    <section aria-labelledby="dataset-title" class="dataset-items">
      <h2 id="dataset-title">Dataset {name}</h2>
      <ErrorNotice error={loaded.error} />
      {d && (
        <>
          <p class="dataset-facts">
            Version {d.version} · {d.items.length} item{d.items.length === 1 ? '' : 's'} ·{' '}
            {ruleWords(d.rule)}
            {d.description ? ` · ${d.description}` : ''}
          </p>
          <table class="table">
            <caption class="sr-only">Items of {name}</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Status</th>
                <th scope="col">Step</th>
                <th scope="col">Expects</th>
                <th scope="col">Added</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((item, i) => {
                const task = loaded.data?.tasks[i];
                return (
                  <tr key={`${item.taskId}:${item.step ?? ''}`} data-task={item.taskId}>
                    <td>
                      <a href={`#/tasks/${item.taskId}`}>{task?.task ?? item.taskId}</a>
                    </td>
                    <td>{task ? <StatusBadge status={task.status} /> : '—'}</td>
                    <td>{item.step ?? 'whole task'}</td>
                    <td>{expectWords(item.expectations)}</td>
                    <td>
                      v{item.addedIn} by {item.source === 'rule' ? 'its rule' : 'hand'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

const expectWords = (e: DatasetView['items'][number]['expectations']): string =>
  [
    e?.answer !== undefined && 'an answer',
    e?.schema && 'a JSON schema',
    e?.trajectory && `${e.trajectory.length} tool calls`,
  ]
    .filter(Boolean)
    .join(', ') || 'what the recorded task did';

function NewDataset({ onCreated }: { onCreated: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<DatasetForm>(EMPTY_DATASET_FORM);
  const [error, setError] = useState<string>();
  const field = (k: keyof DatasetForm) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = datasetBody(form);
    if (!checked.ok) return setError(`${checked.field}: ${checked.error}`);
    try {
      await client.evaluations.createDataset(checked.body);
      setError(undefined);
      setForm(EMPTY_DATASET_FORM);
      onCreated();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <form
      class="schedule-form dataset-form"
      aria-labelledby="new-dataset"
      onSubmit={(e) => void submit(e)}
    >
      <h2 id="new-dataset">New dataset</h2>
      <label>
        Name
        <input value={form.name} maxLength={63} onInput={field('name')} />
      </label>
      <label>
        Description
        <input value={form.description} maxLength={2000} onInput={field('description')} />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={form.withRule}
          onChange={(e) => setForm({ ...form, withRule: e.currentTarget.checked })}
        />{' '}
        Add matching tasks as they end (a rule)
      </label>
      {form.withRule && (
        <fieldset>
          <legend>Rule</legend>
          <label>
            Called the tool
            <input value={form.tool} onInput={field('tool')} />
          </label>
          <label>
            Ended
            <select value={form.outcome} onChange={field('outcome')}>
              <option value="">any way</option>
              <option value="completed">completed</option>
              <option value="failed">failed</option>
              <option value="cancelled">cancelled</option>
            </select>
          </label>
          <label>
            Agent
            <input value={form.agent} onInput={field('agent')} />
          </label>
          <label>
            Label
            <input value={form.label} onInput={field('label')} />
          </label>
          <label>
            Share of them (%)
            <input value={form.ratePercent} inputMode="decimal" onInput={field('ratePercent')} />
          </label>
        </fieldset>
      )}
      <button type="submit">Create dataset</button>
      <ErrorNotice error={error} />
    </form>
  );
}
