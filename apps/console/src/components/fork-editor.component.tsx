import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useSession } from '../context';
import {
  type ForkAt,
  type ForkChoice,
  type ForkForm,
  forkBody,
  forkChoices,
  initialForkForm,
} from '../model/fork-form';
import { CheckField } from './check-field.component';
import { FormButtons } from './form-buttons.component';
import { describeError } from './load.hook';

/** The ended task a fork starts from. */
export interface ForkSource {
  taskId: string;
  /** Its task text, as the editor starts with it. */
  task: string;
}

const where = (at: ForkAt): string =>
  at.kind === 'step' ? `step ${at.step}` : `planning round ${at.round}`;

/**
 * "Fork from here" on a timeline card: opens the fork's editor (the task text, and the card's result
 * or plan), checks it, starts the fork (`POST /tasks/{id}/fork`) and follows it in the Run view.
 */
export function ForkFromHere(p: { source: ForkSource; at: ForkAt; cardKey: string }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <div class="fork-here">
        <button type="button" class="secondary" onClick={() => setOpen(true)}>
          Fork from here<span class="sr-only"> ({where(p.at)})</span>
        </button>
      </div>
    );
  return (
    <ForkEditor
      source={p.source}
      at={p.at}
      id={`fork-${p.source.taskId.slice(0, 8)}-${p.cardKey}`}
      onClose={() => setOpen(false)}
    />
  );
}

function ForkEditor(p: { source: ForkSource; at: ForkAt; id: string; onClose: () => void }) {
  const { client } = useSession();
  const [form, setForm] = useState<ForkForm>(() => initialForkForm(p.at, p.source.task));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);
  const check = useMemo(() => forkBody(p.at, p.source.task, form), [p.at, p.source.task, form]);
  const problem = !check.ok && tried ? check : undefined;
  const set = (patch: Partial<ForkForm>) => {
    setForm({ ...form, ...patch });
    setRefusal(undefined);
  };
  const start = async () => {
    setTried(true);
    if (!check.ok) return;
    setBusy(true);
    try {
      const accepted = await client.tasks.fork(p.source.taskId, check.body);
      location.hash = `#/run/${accepted.task_id}`;
    } catch (e) {
      setRefusal(describeError(e));
      setBusy(false);
    }
  };
  const error = problem?.problem ?? refusal;
  return (
    <form
      class="fork-form"
      aria-label={`Fork from ${where(p.at)}`}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      <label for={`${p.id}-task`}>Task</label>
      <textarea
        id={`${p.id}-task`}
        ref={first}
        rows={2}
        value={form.task}
        aria-invalid={problem?.field === 'task' ? 'true' : undefined}
        aria-describedby={problem?.field === 'task' ? `${p.id}-problem` : undefined}
        onInput={(e) => set({ task: e.currentTarget.value })}
      />
      <ForkChoiceFields
        id={p.id}
        at={p.at}
        form={form}
        invalid={problem?.field === 'json'}
        set={set}
      />
      <CheckField
        checked={form.memoryAsItWas === true}
        onChange={(memoryAsItWas) => set({ memoryAsItWas })}
      >
        Use memory as it was (what this task recalled), not as it is now
      </CheckField>
      {check.ok && <p class="fork-words muted">{check.words}</p>}
      <FormButtons
        busy={busy}
        label="Start the fork"
        busyLabel="Starting the fork…"
        backLabel="Close"
        onBack={p.onClose}
      />
      {error && (
        <p id={`${p.id}-problem`} class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Where the fork goes live (the card again, or the card as edited), and the card's JSON to edit. */
function ForkChoiceFields(p: {
  id: string;
  at: ForkAt;
  form: ForkForm;
  invalid: boolean;
  set: (patch: Partial<ForkForm>) => void;
}) {
  const choices = forkChoices(p.at);
  const option = (choice: ForkChoice, text: string, disabled = false) => (
    <label class="inline fork-choice">
      <input
        type="radio"
        name={`${p.id}-choice`}
        value={choice}
        checked={p.form.choice === choice}
        disabled={disabled}
        onChange={() => p.set({ choice })}
      />{' '}
      {text}
    </label>
  );
  const jsonLabel =
    p.at.kind === 'step'
      ? `Result of step ${p.at.step} (JSON)`
      : `Plan of round ${p.at.round} (JSON array of actions)`;
  return (
    <>
      <fieldset class="fork-choices">
        <legend>From here</legend>
        {option('edit', choices.edit, choices.editUnavailable !== undefined)}
        {choices.editUnavailable && <span class="muted"> ({choices.editUnavailable})</span>}
        {option('live', choices.live)}
      </fieldset>
      {p.form.choice === 'edit' && (
        <>
          <label for={`${p.id}-json`}>{jsonLabel}</label>
          <textarea
            id={`${p.id}-json`}
            class="code"
            rows={Math.min(14, p.form.json.split('\n').length + 1)}
            spellcheck={false}
            value={p.form.json}
            aria-invalid={p.invalid ? 'true' : undefined}
            aria-describedby={p.invalid ? `${p.id}-problem` : undefined}
            onInput={(e) => p.set({ json: e.currentTarget.value })}
          />
        </>
      )}
    </>
  );
}
