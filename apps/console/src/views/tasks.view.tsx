import type { TaskStatus } from '@switchboard/client';
import type { Tasks } from '@switchboard/contracts';
import { useState } from 'preact/hooks';
import { AddToDataset } from '../components/add-to-dataset.component';
import { DataTable } from '../components/data-table.component';
import { ANY_OPTION, SelectField } from '../components/select-field.component';
import { ErrorNotice } from '../components/notice.component';
import { FilterForm } from '../components/filter-form.component';
import { useFormFields } from '../components/form-fields.hook';
import { Page } from '../components/page.component';
import { usePagedList } from '../components/paged-list.hook';
import { StatusBadge } from '../components/status-badge.component';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { formatDateTime, formatDuration } from '../model/format';
import { statusWords, TASK_STATUSES } from '../model/status';

const STATUS_OPTIONS = [
  ANY_OPTION,
  ...TASK_STATUSES.map((s) => ({ value: s, label: statusWords(s) })),
];

interface Filters {
  status: string;
  q: string;
  user: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { status: '', q: '', user: '', from: '', to: '' };

/** A date input's day as the ISO instant it starts (local time), for `from`/`to`. */
const dayStart = (day: string, plusDays = 0): string | undefined => {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
};

/** The view's title: whose tasks it lists (an admin's tenant's, the platform operator's every tenant's). */
function tasksTitle(me: {
  admin: boolean;
  platformAdmin: boolean;
  tenancy: boolean;
  tenantId: string;
}) {
  if (me.platformAdmin && me.tenancy) return 'Tasks (every tenant)';
  if (!me.admin) return 'My tasks';
  return me.tenancy ? `Tasks (all users of tenant ${me.tenantId})` : 'Tasks (all users)';
}

/** Tasks: the user's tasks (an admin's: everyone's), filtered, newest first, with more on demand. */
// eslint-disable-next-line max-lines-per-function -- a view is one JSX tree with its hooks; split into panels when it next changes
export function TasksView() {
  const { client, me } = useSession();
  const { form: filters, text, choice } = useFormFields<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  // Rows ticked to add to a dataset (docs/evaluations.md).
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  const list = usePagedList<Tasks.TaskSummary, string>(
    async (before) => {
      const page = await client.tasks.list({
        status: (applied.status || undefined) as TaskStatus | undefined,
        q: applied.q.trim() || undefined,
        user_id: me.admin ? applied.user.trim() || undefined : undefined,
        from: dayStart(applied.from),
        to: dayStart(applied.to, 1),
        before,
        limit: 50,
      });
      return { rows: page.tasks, next: page.nextBefore };
    },
    [applied],
  );
  const { rows, next, loading } = list;

  return (
    <Page id="tasks" title={tasksTitle(me)}>
      <FilterForm
        label="Filter tasks"
        // A new object each time: Apply with unchanged filters loads the newest tasks again.
        onApply={() => setApplied({ ...filters })}
      >
        <SelectField label="Status" options={STATUS_OPTIONS} {...choice('status')} />
        <TextField label="Text" type="search" maxLength={200} {...text('q')} />
        {me.admin && <TextField label="User" maxLength={128} {...text('user')} />}
        <TextField label="From" type="date" {...text('from')} />
        <TextField label="To" type="date" {...text('to')} />
      </FilterForm>
      <ErrorNotice error={list.error} />
      <DataTable
        class="table"
        caption="Tasks, newest first"
        columns={[
          <span class="sr-only">Selected</span>,
          'Created',
          'Task',
          me.admin && 'User',
          'Status',
          'Duration',
          'Steps',
          'Tokens',
        ]}
      >
        {rows.map((t) => (
          <tr key={t.taskId}>
            <td>
              <input
                type="checkbox"
                aria-label={`Select ${t.task}`}
                checked={selected.includes(t.taskId)}
                onChange={() => toggle(t.taskId)}
              />
            </td>
            <td>{formatDateTime(t.createdAt)}</td>
            <td>
              <a href={`#/tasks/${t.taskId}`}>{t.task}</a>
            </td>
            {me.admin && <td>{t.userId}</td>}
            <td>
              <StatusBadge status={t.status} />
            </td>
            <td>{formatDuration(t.durationMs)}</td>
            <td>{t.steps}</td>
            <td>
              {t.usage
                ? t.usage.totalTokens.toLocaleString('en-US')
                : t.planner === 'builtin'
                  ? 'no LLM'
                  : '—'}
            </td>
          </tr>
        ))}
      </DataTable>
      <p role="status" class="muted">
        {loading
          ? 'Loading…'
          : `${rows.length} task${rows.length === 1 ? '' : 's'}${next ? ', more older ones' : ''}`}
      </p>
      {selected.length > 0 && <AddToDataset taskIds={selected} />}
      {next && (
        <button type="button" disabled={loading} onClick={list.older}>
          Older tasks
        </button>
      )}
    </Page>
  );
}
