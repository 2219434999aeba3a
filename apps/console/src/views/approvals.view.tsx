import { useEffect, useState } from 'preact/hooks';
import { ApprovalControls } from '../components/approval-controls.component';
import { JsonView } from '../components/json-view.component';
import { useLoad } from '../components/load.hook';
import { ErrorNotice, OkNotice } from '../components/notice.component';
import { Page } from '../components/page.component';
import { RefreshBar } from '../components/refresh-bar.component';
import { useSession } from '../context';
import { type ApprovalView, decidedWords, expiryWords } from '../model/approvals';
import { formatDateTime } from '../model/format';

/** How often the inbox asks again while it is open (a decision refreshes it at once). */
const REFRESH_MS = 15_000;

/**
 * Approvals: the calls waiting for a decision the user may make (GET /approvals?status=pending) —
 * their own tasks' where the policy lets them, their role's, the ones naming them; an admin's: all —
 * each with Approve / Edit / Reject. A decision resumes the task; the inbox then refreshes.
 */
export function ApprovalsView() {
  const { client, me } = useSession();
  const inbox = useLoad(
    async (signal) =>
      (await client.approvals.list({ status: 'pending', limit: 200 }, { signal, retries: 0 }))
        .approvals,
    [],
  );
  const [last, setLast] = useState<ApprovalView>();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
      inbox.reload();
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, []);
  const approvals = inbox.data ?? [];
  return (
    <Page id="approvals" title="Approvals">
      <p class="muted">
        Calls that wait for a person's decision before they run:{' '}
        {me.admin ? "every user's" : 'the ones you may decide'}. The task waits until one is
        decided, or it expires.
      </p>
      <RefreshBar
        loaded={inbox}
        countClass="approvals-count"
        count={`${approvals.length} pending approval${approvals.length === 1 ? '' : 's'}`}
      />
      {last && (
        <OkNotice class="approval-last">
          {decidedWords(last)} <a href={`#/run/${last.taskId}`}>Follow the task</a>
        </OkNotice>
      )}
      <ErrorNotice error={inbox.error} />
      <ul class="approvals">
        {approvals.map((a) => (
          <ApprovalItem
            key={a.approvalId}
            approval={a}
            now={now}
            onDecided={(v) => {
              setLast(v);
              setNow(Date.now());
              inbox.reload();
            }}
          />
        ))}
      </ul>
    </Page>
  );
}

function ApprovalItem({
  approval: a,
  now,
  onDecided,
}: {
  approval: ApprovalView;
  now: number;
  onDecided: (v: ApprovalView) => void;
}) {
  return (
    <li class="approval" data-approval={a.approvalId} data-task={a.taskId}>
      <h2>
        {a.kind === 'agent' ? 'Delegation to ' : 'Tool '}
        <code>{a.target}</code>
      </h2>
      <dl class="facts">
        <dt>Why</dt>
        <dd>{a.reason || '—'}</dd>
        <dt>Requested by</dt>
        <dd>
          {a.requestedBy}, <time dateTime={a.requestedAt}>{formatDateTime(a.requestedAt)}</time>
        </dd>
        <dt>Task</dt>
        <dd>
          <a href={`#/run/${a.taskId}`}>Task {a.taskId.slice(0, 8)}</a>{' '}
          <span class="muted">(step {a.stepId})</span>
        </dd>
        <dt>Expires</dt>
        <dd>
          {expiryWords(a.expiresAt, now)}{' '}
          <span class="muted">
            (<time dateTime={a.expiresAt}>{formatDateTime(a.expiresAt)}</time>; then{' '}
            {a.policy.onExpiry === 'fail' ? 'the task fails' : 'the call counts as rejected'})
          </span>
        </dd>
      </dl>
      <JsonView label="Arguments" value={a.input} />
      <ApprovalControls
        call={{
          taskId: a.taskId,
          approvalId: a.approvalId,
          kind: a.kind,
          target: a.target,
          input: a.input,
        }}
        inputSchema={a.inputSchema}
        onDecided={onDecided}
      />
    </li>
  );
}
