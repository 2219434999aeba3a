import { isTaskView } from '@switchboard/client';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../context';
import { formatDateTime } from '../model/format';
import { shortId } from '../model/replay';
import {
  buildRunTree,
  countRuns,
  type RunNode,
  type RunSummary,
  stillRunning,
} from '../model/run-tree';
import { hrefOf } from '../router';
import { describeError } from './load.hook';
import { ErrorNotice } from './notice.component';
import { StatusBadge } from './status-badge.component';
import { VerdictBadge } from './verdict.component';

/** How often the runs still under way are read again (their status and verdict change). */
const REFRESH_MS = 2_000;

/**
 * The replays and forks of a task as a tree (`runs` of GET /tasks/{id}, oldest first): each with its
 * kind, status, a replay's verdict, a link to it and to its comparison with the task it came from;
 * opening one reads its own replays and forks. Runs still under way are read again until they end.
 */
export function RunTree({ taskId }: { taskId: string }) {
  const { client } = useSession();
  const [loaded, setLoaded] = useState<ReadonlyMap<string, RunSummary[]>>(new Map());
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string>();
  // Answers for an earlier task (the page moved on meanwhile) are dropped.
  const root = useRef(taskId);
  root.current = taskId;
  const read = useCallback(
    (id: string, forRoot: string) =>
      client.tasks.get(id).then(
        (v) =>
          root.current === forRoot &&
          setLoaded((m) => new Map(m).set(id, isTaskView(v) ? (v.runs ?? []) : [])),
        (e: unknown) => root.current === forRoot && setError(describeError(e)),
      ),
    [client],
  );
  useEffect(() => {
    setLoaded(new Map());
    setOpen(new Set());
    setError(undefined);
    void read(taskId, taskId);
  }, [taskId, read]);
  useEffect(() => {
    const ids = stillRunning(taskId, loaded, open);
    if (ids.length === 0) return;
    const timer = setTimeout(() => ids.forEach((id) => void read(id, taskId)), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [taskId, loaded, open, read]);
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.delete(id)) return setOpen(next);
    if (!loaded.has(id)) void read(id, taskId);
    setOpen(next.add(id));
  };
  const nodes = buildRunTree(taskId, loaded, open);
  return (
    <section class="run-tree" aria-labelledby="run-tree-title">
      <h2 id="run-tree-title">
        Replays and forks <span class="muted">({countRuns(nodes)})</span>
      </h2>
      <ErrorNotice error={error} />
      {!loaded.has(taskId) && !error && <p class="muted">Reading…</p>}
      {loaded.has(taskId) && nodes.length === 0 && (
        <p class="muted">
          None yet. <strong>Replay</strong> runs this task again from its record, calling nothing;{' '}
          <strong>Fork from here</strong> on a step or planning round of its timeline runs it
          differently from there.
        </p>
      )}
      {nodes.length > 0 && <RunList nodes={nodes} onToggle={toggle} />}
    </section>
  );
}

function RunList({ nodes, onToggle }: { nodes: RunNode[]; onToggle: (id: string) => void }) {
  return (
    <ul class="runs">
      {nodes.map((n) => (
        <li
          key={n.run.taskId}
          class="run-node"
          data-task={n.run.taskId}
          data-kind={n.run.kind}
          data-status={n.run.status}
        >
          <RunLine node={n} onToggle={onToggle} />
          {n.open && n.loading && <p class="muted">Reading…</p>}
          {n.children && n.children.length === 0 && (
            <p class="muted">No replays or forks of it yet.</p>
          )}
          {n.children && n.children.length > 0 && (
            <RunList nodes={n.children} onToggle={onToggle} />
          )}
        </li>
      ))}
    </ul>
  );
}

function RunLine({ node: n, onToggle }: { node: RunNode; onToggle: (id: string) => void }) {
  const id = n.run.taskId;
  return (
    <div class="run-line">
      <span class={`run-kind run-kind-${n.run.kind}`}>{n.label}</span>{' '}
      <StatusBadge status={n.run.status} />
      {n.run.verdict && (
        <>
          {' '}
          <VerdictBadge verdict={n.run.verdict} />
        </>
      )}{' '}
      <a href={hrefOf({ view: 'run', taskId: id })}>Task {shortId(id)}</a>{' '}
      <span class="muted">
        <time dateTime={n.run.createdAt}>{formatDateTime(n.run.createdAt)}</time>
      </span>{' '}
      <a href={hrefOf({ view: 'diff', a: n.parentId, b: id })}>
        Compare with original<span class="sr-only"> (task {shortId(id)})</span>
      </a>{' '}
      <button type="button" class="link" aria-expanded={n.open} onClick={() => onToggle(id)}>
        {n.open ? 'Hide its replays and forks' : 'Its replays and forks'}
        <span class="sr-only"> (task {shortId(id)})</span>
      </button>
      {n.verdict && !n.verdict.identical && <p class="run-verdict warn">{n.verdict.text}</p>}
    </div>
  );
}
