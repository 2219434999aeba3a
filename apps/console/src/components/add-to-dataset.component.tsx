import { useState } from 'preact/hooks';
import { useSession } from '../context';
import { describeError, useLoad } from './load.hook';
import { ErrorNotice, OkNotice } from './notice.component';

/**
 * Adds chosen recorded tasks to one of the tenant's datasets (docs/evaluations.md): from a task's
 * page (one task) or the task list (the rows ticked). Only ended tasks may be added: the API says
 * which item it refused.
 */
export function AddToDataset({ taskIds, onAdded }: { taskIds: string[]; onAdded?: () => void }) {
  const { client } = useSession();
  const datasets = useLoad(
    async (signal) => (await client.evaluations.datasets({ signal })).datasets,
    [],
  );
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string>();
  const [added, setAdded] = useState<string>();
  const names = (datasets.data ?? []).map((d) => d.name);
  const target = chosen || names[0] || '';
  const add = async () => {
    setError(undefined);
    setAdded(undefined);
    try {
      const view = await client.evaluations.addItems(
        target,
        taskIds.map((taskId) => ({ taskId })),
      );
      setAdded(`Added to ${view.name} (version ${view.version}, ${view.items.length} items).`);
      onAdded?.();
    } catch (e) {
      setError(describeError(e));
    }
  };
  if (datasets.data && names.length === 0)
    return (
      <p class="muted add-to-dataset">
        No dataset yet: <a href="#/datasets">create one</a> to collect tasks.
      </p>
    );
  return (
    <div class="add-to-dataset">
      <label>
        Dataset
        <select value={target} onChange={(e) => setChosen(e.currentTarget.value)}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="button" disabled={!target || taskIds.length === 0} onClick={() => void add()}>
        {taskIds.length === 1 ? 'Add to dataset' : `Add ${taskIds.length} tasks to dataset`}
      </button>
      <ErrorNotice error={error ?? datasets.error} />
      <OkNotice>{added}</OkNotice>
    </div>
  );
}
