import { isTaskView } from '@switchboard/client';
import { useMemo, useState } from 'preact/hooks';
import { AddToDataset } from '../components/add-to-dataset.component';
import { ErrorNotice } from '../components/notice.component';
import { useLoad } from '../components/load.hook';
import { Page } from '../components/page.component';
import { ReplayButton, RunOriginLine } from '../components/rerun.component';
import { RunTree } from '../components/run-tree.component';
import { TaskScores } from '../components/task-scores.component';
import { StatusBadge } from '../components/status-badge.component';
import { type TaskStream, useTaskStream } from '../components/task-stream.hook';
import { Timeline } from '../components/timeline.component';
import { VerdictNotice } from '../components/verdict.component';
import { useSession } from '../context';
import { formatDateTime, formatTokens } from '../model/format';
import { verdictOf } from '../model/replay';
import { summarize } from '../model/run-summary.model';

/**
 * One task: its stored state, and its stored events replayed as the same timeline as Run (live if it
 * still runs); once it has ended, Replay, Fork from here on its cards, and its replays and forks.
 */
export function TaskView({ taskId }: { taskId: string }) {
  const { client } = useSession();
  // A task not picked up yet is only {taskId, status: 'queued'}: its facts show once it is stored.
  const view = useLoad(
    async (signal) => {
      const v = await client.tasks.get(taskId, { signal });
      return isTaskView(v) ? v : undefined;
    },
    [taskId],
  );
  const stream = useTaskStream(client, taskId);
  const [error, setError] = useState<string>();
  const t = view.data;
  const verdict = useMemo(() => verdictOf(stream.events), [stream.events]) ?? t?.verdict;
  return (
    <Page id="task" title={<>Task {taskId.slice(0, 8)}</>}>
      <ErrorNotice error={error ?? view.error ?? stream.error} />
      {t?.run && <RunOriginLine taskId={taskId} run={t.run} ended={stream.ended} />}
      {verdict && <VerdictNotice verdict={verdict} />}
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
      {stream.ended && (
        <p class="task-actions">
          <ReplayButton key={taskId} taskId={taskId} onError={setError} />{' '}
          <a href={`#/run/${taskId}`}>Open in Run</a>
        </p>
      )}
      {stream.ended && <AddToDataset taskIds={[taskId]} />}
      {stream.ended && <RunTree taskId={taskId} />}
      <TaskScores taskId={taskId} />
      <h2>
        Timeline{' '}
        <span class="muted">
          ({stream.events.length} events{stream.ended ? '' : ', following'})
        </span>
      </h2>
      <Timeline
        events={stream.events}
        fork={stream.ended && t ? { taskId, task: t.task } : undefined}
      />
    </Page>
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
