import { useState } from 'preact/hooks';
import { useSession } from '../context';
import { originParts, type RunOrigin, shortId } from '../model/replay';
import { hrefOf } from '../router';
import { describeError } from './load.hook';

/**
 * Replay: runs the ended task again from its record (`POST /tasks/{id}/replay`) and follows the replay
 * in the Run view, where its timeline ends with the verdict. What the API refuses goes to `onError`.
 */
export function ReplayButton({
  taskId,
  onError,
}: {
  taskId: string;
  onError: (message: string | undefined) => void;
}) {
  const { client } = useSession();
  const [busy, setBusy] = useState(false);
  const replay = async () => {
    onError(undefined);
    setBusy(true);
    try {
      const accepted = await client.tasks.replay(taskId);
      location.hash = hrefOf({ view: 'run', taskId: accepted.task_id });
    } catch (e) {
      onError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <button
      type="button"
      class="secondary replay"
      disabled={busy}
      title="Run it again from its record: no model, tool or agent is called"
      onClick={() => void replay()}
    >
      {busy ? 'Starting the replay…' : 'Replay'}
    </button>
  );
}

/** What a replay or fork comes from: "Fork of task 1a2b3c4d from step 2", linked, and the comparison. */
export function RunOriginLine({
  taskId,
  run,
  ended,
}: {
  taskId: string;
  run: RunOrigin;
  ended: boolean;
}) {
  const parts = originParts(run);
  return (
    <p class="run-origin" data-kind={run.kind} data-of={run.of}>
      {parts.lead} <a href={hrefOf({ view: 'run', taskId: run.of })}>task {shortId(run.of)}</a>
      {parts.tail}
      {ended && (
        <>
          {' · '}
          <a href={hrefOf({ view: 'diff', a: run.of, b: taskId })}>Compare with the original</a>
        </>
      )}
    </p>
  );
}
