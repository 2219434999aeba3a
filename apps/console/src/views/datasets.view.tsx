import { type DatasetView, isTaskView } from '@switchboard/client';
import { useCreateForm } from '../components/create-form.hook';
import { CheckField } from '../components/check-field.component';
import { DataTable } from '../components/data-table.component';
import { SelectField } from '../components/select-field.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { TextField } from '../components/text-field.component';
import { StatusBadge } from '../components/status-badge.component';
import { useSession } from '../context';
import { type DatasetForm, datasetBody, EMPTY_DATASET_FORM, ruleWords } from '../model/evaluations';
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
    <Page id="datasets" title="Datasets">
      <p class="muted">
        A dataset is a versioned list of recorded tasks an experiment runs again on another agent
        version. Add tasks from the task list or a task’s page, or give the dataset a rule.
      </p>
      <ErrorNotice error={list.error} />
      {list.data && list.data.length === 0 && <p class="muted datasets-none">No datasets yet.</p>}
      {(list.data ?? []).length > 0 && (
        <DataTable
          class="table datasets"
          caption="Datasets, by name"
          columns={['Name', 'Version', 'Rule', 'Made']}
        >
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
        </DataTable>
      )}
      {name && <DatasetItems key={name} name={name} />}
      <NewDataset onCreated={list.reload} />
    </Page>
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
          <DataTable
            class="table"
            caption={<>Items of {name}</>}
            columns={['Task', 'Status', 'Step', 'Expects', 'Added']}
          >
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
          </DataTable>
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

const OUTCOMES = [
  { value: '', label: 'any way' },
  { value: 'completed', label: 'completed' },
  { value: 'failed', label: 'failed' },
  { value: 'cancelled', label: 'cancelled' },
];

function NewDataset({ onCreated }: { onCreated: () => void }) {
  const { client } = useSession();
  const { form, setForm, text, choice, problem, submit } = useCreateForm({
    empty: EMPTY_DATASET_FORM,
    check: (f: DatasetForm) => {
      const checked = datasetBody(f);
      return checked.ok ? checked : { ok: false, problem: `${checked.field}: ${checked.error}` };
    },
    create: (body) => client.evaluations.createDataset(body),
    onCreated,
  });
  return (
    <form class="schedule-form dataset-form" aria-labelledby="new-dataset" onSubmit={submit}>
      <h2 id="new-dataset">New dataset</h2>
      <TextField label="Name" maxLength={63} {...text('name')} />
      <TextField label="Description" maxLength={2000} {...text('description')} />
      <CheckField checked={form.withRule} onChange={(withRule) => setForm({ ...form, withRule })}>
        Add matching tasks as they end (a rule)
      </CheckField>
      {form.withRule && (
        <fieldset>
          <legend>Rule</legend>
          <TextField label="Called the tool" {...text('tool')} />
          <SelectField label="Ended" options={OUTCOMES} {...choice('outcome')} />
          <TextField label="Agent" {...text('agent')} />
          <TextField label="Label" {...text('label')} />
          <TextField label="Share of them (%)" inputMode="decimal" {...text('ratePercent')} />
        </fieldset>
      )}
      <button type="submit">Create dataset</button>
      <ErrorNotice error={problem} />
    </form>
  );
}
