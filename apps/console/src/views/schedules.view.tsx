import { useAction } from '../components/action.hook';
import { useCreateForm } from '../components/create-form.hook';
import type { FieldBinders } from '../components/form-fields.hook';
import { SelectField } from '../components/select-field.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { TextField } from '../components/text-field.component';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';
import {
  localTimeZone,
  type ScheduleForm,
  scheduleBody,
  type ScheduleView,
  statusWords,
  threadWords,
  timingWords,
} from '../model/schedules';

/**
 * Schedules (docs/schedules.md): run a task on a cron schedule or once at a time; see when each runs
 * next, pause, resume or delete it, and its recent firings with the tasks they started.
 */
export function SchedulesView() {
  const { client } = useSession();
  const list = useLoad(
    async (signal) => (await client.schedules.list({ limit: 500 }, { signal })).schedules,
    [],
  );
  return (
    <Page id="schedules" title="Schedules">
      <p class="muted">
        A schedule submits its task on a cron schedule in a time zone, or once at a time. Each
        firing is one task of yours, exactly once per due time.
      </p>
      <CreateForm onCreated={list.reload} />
      <h2>
        Your schedules{' '}
        <button type="button" class="secondary" onClick={list.reload}>
          Refresh
        </button>
      </h2>
      <ErrorNotice error={list.error} />
      <ScheduleList schedules={list.data ?? []} onChanged={list.reload} />
    </Page>
  );
}

function CreateForm({ onCreated }: { onCreated: () => void }) {
  const { client } = useSession();
  const empty: ScheduleForm = {
    task: '',
    kind: 'cron',
    cron: '0 8 * * 1-5',
    timezone: localTimeZone(),
    at: '',
    catchUp: 'skip',
    maxSteps: '',
    threadId: '',
    threadPolicy: '',
  };
  const { form, text, choice, problem, created, submit } = useCreateForm({
    empty,
    check: (f) => scheduleBody(f),
    create: (body) => client.schedules.create(body),
    onCreated,
  });
  return (
    <form class="schedule-form" onSubmit={submit} aria-labelledby="new-schedule">
      <h2 id="new-schedule">New schedule</h2>
      <label>
        Task
        <textarea rows={2} {...text('task')} />
      </label>
      <SelectField label="Runs" options={KINDS} {...choice('kind')} />
      <TimingFields kind={form.kind} text={text} />
      <SelectField label="Missed while down" options={CATCH_UPS} {...choice('catchUp')} />
      <TextField label="Max steps" inputMode="numeric" {...text('maxSteps')} />
      <ThreadFields text={text} choice={choice} />
      <button type="submit">Create schedule</button>
      <ErrorNotice error={problem} />
      {created && (
        <OkNotice class="schedule-created">
          Scheduled: next run {created.nextDueAt ? formatDateTime(created.nextDueAt) : 'none'}.
        </OkNotice>
      )}
    </form>
  );
}

const KINDS = [
  { value: 'cron', label: 'On a cron schedule' },
  { value: 'at', label: 'Once' },
];

const CATCH_UPS = [
  { value: 'skip', label: 'Skip it' },
  { value: 'latest', label: 'Run the latest once' },
];

const THREAD_POLICIES = [
  { value: '', label: 'Platform default' },
  { value: 'enqueue', label: 'Wait for it (enqueue)' },
  { value: 'reject', label: 'Skip the firing (reject)' },
  { value: 'interrupt', label: 'Interrupt it (interrupt)' },
  { value: 'rollback', label: 'Cancel and discard it (rollback)' },
];

type Binders = FieldBinders<ScheduleForm>;

/** When it runs: the cron expression and time zone, or the one local time. */
function TimingFields({ kind, text }: { kind: ScheduleForm['kind']; text: Binders['text'] }) {
  return kind === 'cron' ? (
    <>
      <TextField label="Cron" placeholder="0 8 * * 1-5" {...text('cron')} />
      <TextField label="Time zone" placeholder="Europe/Berlin" {...text('timezone')} />
    </>
  ) : (
    <TextField label="At" type="datetime-local" {...text('at')} />
  );
}

/** The thread its tasks join, and what a firing does when that thread is busy. */
function ThreadFields({ text, choice }: Pick<Binders, 'text' | 'choice'>) {
  return (
    <>
      <TextField label="Thread" placeholder="none" {...text('threadId')} />
      <SelectField
        label="When the thread is busy"
        options={THREAD_POLICIES}
        {...choice('threadPolicy')}
      />
    </>
  );
}

function ScheduleList({
  schedules,
  onChanged,
}: {
  schedules: ScheduleView[];
  onChanged: () => void;
}) {
  const { client } = useSession();
  const { error, run } = useAction();
  if (schedules.length === 0) return <p class="muted schedules-none">No schedules.</p>;
  const button = (label: string, change: () => Promise<unknown>) => (
    <button type="button" class="secondary" onClick={() => void run(change(), onChanged)}>
      {label}
    </button>
  );
  return (
    <>
      <ErrorNotice error={error} />
      <ul class="schedules">
        {schedules.map((s) => (
          <li
            key={s.scheduleId}
            class={`schedule schedule-${s.status}`}
            data-schedule={s.scheduleId}
          >
            <h3>{s.task}</h3>
            <p>
              {timingWords(s)} · <span class="schedule-status">{statusWords(s)}</span> ·{' '}
              {s.nextDueAt ? `next ${formatDateTime(s.nextDueAt)}` : 'no next run'} · fired{' '}
              {s.firedCount}× · {s.userId}'s
              {s.threadId && <span class="schedule-thread"> · {threadWords(s)}</span>}
            </p>
            {s.status === 'active' && button('Pause', () => client.schedules.pause(s.scheduleId))}
            {s.status === 'paused' && button('Resume', () => client.schedules.resume(s.scheduleId))}
            {button('Delete', () => client.schedules.delete(s.scheduleId))}
            <Firings scheduleId={s.scheduleId} firedCount={s.firedCount} />
          </li>
        ))}
      </ul>
    </>
  );
}

function Firings({ scheduleId, firedCount }: { scheduleId: string; firedCount: number }) {
  const { client } = useSession();
  const list = useLoad(
    async (signal) => (await client.schedules.firings(scheduleId, { signal })).firings,
    [scheduleId, firedCount],
  );
  const rows = list.data ?? [];
  if (rows.length === 0) return null;
  return (
    <details class="firings">
      <summary>Recent firings ({rows.length})</summary>
      <ErrorNotice error={list.error} />
      <ul>
        {rows.map((f) => (
          <li key={f.dueAt} class={`firing firing-${f.status}`}>
            {formatDateTime(f.dueAt)} ·{' '}
            {f.taskId ? (
              <a href={`#/tasks/${f.taskId}`}>Task {f.taskId.slice(0, 8)}</a>
            ) : (
              'skipped (missed while down, its thread busy, or over quota)'
            )}
          </li>
        ))}
      </ul>
    </details>
  );
}
