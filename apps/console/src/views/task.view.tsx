import type { Tasks } from '@switchboard/contracts';
import { ErrorNotice } from '../components/notice.component';
import { useLoad } from '../components/load.hook';
import { StatusBadge } from '../components/status-badge.component';
import { type TaskStream, useTaskStream } from '../components/task-stream.hook';
import { Timeline } from '../components/timeline.component';
import { useSession } from '../context';
import { formatDateTime, formatTokens } from '../model/format';
import { summarize } from '../model/timeline.model';

/** One task: its stored state, and its stored events replayed as the same timeline as Run (live if it still runs). */
export function TaskView({ taskId }: { taskId: string }) {
  const { api } = useSession();
  const view = useLoad(
    (signal) => api.get<Tasks.TaskView>(`tasks/${taskId}`, {}, signal),
    [taskId],
  );
  const stream = useTaskStream(api, taskId);
  const t = view.data;
  return (
    <section aria-labelledby="task-title">
      <h1 id="task-title" tabIndex={-1}>
        Task {taskId.slice(0, 8)}
      </h1>
      <ErrorNotice error={view.error ?? stream.error} />
      {t && (
        <dl class="facts">
          <dt>Task</dt>
          <dd>{t.task}</dd>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={currentStatus(t.status, stream)} />
          </dd>
          <dt>User</dt>
          <dd>{t.userId}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(t.createdAt)}</dd>
          <dt>Planner</dt>
          <dd>{t.planner ?? '—'}</dd>
          <dt>Tokens</dt>
          <dd>{t.planner === 'builtin' && !t.usage ? 'no LLM' : formatTokens(t.usage)}</dd>
        </dl>
      )}
      <h2>
        Timeline{' '}
        <span class="muted">
          ({stream.events.length} events{stream.ended ? '' : ', following'})
        </span>
      </h2>
      <Timeline events={stream.events} />
    </section>
  );
}

/**
 * The task's status as its events tell it once they are in (a stored `waiting_approval` turns
 * `running` when a decision resumes it); the stored one while a finished task's events replay.
 */
function currentStatus(stored: string, stream: TaskStream): string {
  const finished = ['completed', 'failed', 'cancelled'].includes(stored);
  if (stream.events.length === 0 || (finished && !stream.ended)) return stored;
  return summarize(stream.events).status;
}
