import { useState } from 'preact/hooks';
import { useSession } from '../context';
import {
  type ApprovalView,
  type Choice,
  callWords,
  decidedWords,
  decisionBody,
  editorText,
  type HeldCall,
} from '../model/approvals';
import { DecisionForm } from './decision-form.component';
import { JsonView } from './json-view.component';
import { describeError } from './load.hook';

type Mode = 'choose' | 'edit' | 'reject';

/**
 * Approve / Edit / Reject for one pending call (the Approvals inbox and the timeline's approval card).
 * Edit opens the call's arguments as JSON, sent as the approval's `input`; Reject asks for the reason
 * the task will hear. What the API refuses (403, 404, 409, 400) is shown with its message.
 */
export function ApprovalControls({
  call,
  inputSchema,
  onDecided,
}: {
  call: HeldCall;
  inputSchema?: Record<string, unknown> | undefined;
  onDecided?: (decided: ApprovalView) => void;
}) {
  const { client } = useSession();
  const [mode, setMode] = useState<Mode>('choose');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [decided, setDecided] = useState<ApprovalView>();
  const id = `approval-${call.approvalId}`;

  const open = (m: Mode) => {
    setMode(m);
    setProblem(undefined);
  };
  const decide = async (choice: Choice) => {
    const parsed = decisionBody(call, choice);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(undefined);
    setBusy(true);
    try {
      const view = await client.approvals.decide(call.taskId, call.approvalId, parsed.body);
      setDecided(view);
      onDecided?.(view);
    } catch (e) {
      setProblem(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  if (decided)
    return (
      <p class="approval-decided" role="status">
        {decidedWords(decided)}
      </p>
    );
  const back = () => open('choose');
  return (
    <div class="approval-controls" role="group" aria-label={`Decide: ${callWords(call)}`}>
      {mode === 'choose' && (
        <ChooseButtons
          busy={busy}
          onApprove={() => void decide({ decision: 'approve' })}
          onOpen={open}
        />
      )}
      {mode === 'edit' && (
        <EditForm
          id={`${id}-input`}
          input={call.input}
          inputSchema={inputSchema}
          busy={busy}
          onBack={back}
          onApprove={(edited) => void decide({ decision: 'approve', edited })}
        />
      )}
      {mode === 'reject' && (
        <RejectForm
          id={`${id}-reason`}
          busy={busy}
          onBack={back}
          onReject={(reason) => void decide({ decision: 'reject', reason })}
        />
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

function ChooseButtons(p: { busy: boolean; onApprove: () => void; onOpen: (m: Mode) => void }) {
  return (
    <div class="approval-buttons">
      <button type="button" disabled={p.busy} onClick={p.onApprove}>
        {p.busy ? 'Approving…' : 'Approve'}
      </button>
      <button type="button" class="secondary" onClick={() => p.onOpen('edit')}>
        Edit
      </button>
      <button type="button" class="danger" onClick={() => p.onOpen('reject')}>
        Reject
      </button>
    </div>
  );
}

/** The call's arguments as JSON to change before approving. */
function EditForm(p: {
  id: string;
  input: unknown;
  inputSchema?: Record<string, unknown> | undefined;
  busy: boolean;
  onBack: () => void;
  onApprove: (edited: string) => void;
}) {
  const [text, setText] = useState(() => editorText(p.input));
  return (
    <DecisionForm
      id={p.id}
      label="Arguments (JSON)"
      busy={p.busy}
      submit="Approve with these arguments"
      busyLabel="Approving…"
      onBack={p.onBack}
      onSubmit={() => p.onApprove(text)}
    >
      <textarea
        id={p.id}
        class="code"
        rows={Math.min(16, text.split('\n').length + 1)}
        spellcheck={false}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {p.inputSchema && <JsonView label="Input schema" value={p.inputSchema} folded />}
    </DecisionForm>
  );
}

/** Why the call is refused: the task (its planner) hears it. */
function RejectForm(p: {
  id: string;
  busy: boolean;
  onBack: () => void;
  onReject: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  return (
    <DecisionForm
      id={p.id}
      label="Reason (the task hears it)"
      busy={p.busy}
      submit="Reject the call"
      busyLabel="Rejecting…"
      danger
      onBack={p.onBack}
      onSubmit={() => p.onReject(reason)}
    >
      <input
        id={p.id}
        required
        maxLength={1000}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
    </DecisionForm>
  );
}
