import { useState } from 'preact/hooks';
import { useSession } from '../context';
import { scoreValueOf, scoreWords } from '../model/evaluations';
import { formatDateTime } from '../model/format';
import { DataTable } from './data-table.component';
import { describeError, useLoad } from './load.hook';
import { ErrorNotice } from './notice.component';

/**
 * A task's scores (docs/evaluations.md): every record — from code scorers, the judge, people — with
 * its source and scorer version; and a form to add a human score.
 */
export function TaskScores({ taskId }: { taskId: string }) {
  const { client } = useSession();
  const scores = useLoad(
    async (signal) => (await client.evaluations.scores(taskId, { signal })).scores,
    [taskId],
  );
  const list = scores.data ?? [];
  return (
    <section aria-labelledby="scores-title" class="task-scores">
      <h2 id="scores-title">Scores</h2>
      <ErrorNotice error={scores.error} />
      {scores.data && list.length === 0 && <p class="muted scores-none">No scores yet.</p>}
      {list.length > 0 && (
        <DataTable
          class="table scores"
          caption="Scores of this task, oldest first"
          columns={['Name', 'Value', 'Source', 'Scorer version', 'Reason', 'Given']}
        >
          {list.map((s, i) => (
            <tr key={i} data-source={s.source} data-name={s.name}>
              <td>{s.name}</td>
              <td>{scoreWords(s.value)}</td>
              <td>{s.source}</td>
              <td>{s.scorerVersion}</td>
              <td>{s.reason ?? ''}</td>
              <td>
                {formatDateTime(s.createdAt)}
                {s.userId ? ` by ${s.userId}` : ''}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <HumanScoreForm taskId={taskId} onScored={scores.reload} />
    </section>
  );
}

function HumanScoreForm({ taskId, onScored }: { taskId: string; onScored: () => void }) {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = scoreValueOf(value);
    if (!name.trim()) return setError('Name: give the score a name');
    if (!v.ok) return setError(`Value: ${v.error}`);
    try {
      const r = reason.trim();
      await client.evaluations.score(taskId, {
        name: name.trim(),
        value: v.body,
        ...(r ? { reason: r } : {}),
      });
      setError(undefined);
      setName('');
      setValue('');
      setReason('');
      onScored();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <form class="score-form" aria-labelledby="score-form-title" onSubmit={(e) => void submit(e)}>
      <h3 id="score-form-title">Add a score</h3>
      <label>
        Score name
        <input value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </label>{' '}
      <label>
        Value
        <input
          value={value}
          placeholder="0.8, true, helpful"
          maxLength={100}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </label>{' '}
      <label>
        Reason
        <input value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>{' '}
      <button type="submit">Add score</button>
      <ErrorNotice error={error} />
    </form>
  );
}
