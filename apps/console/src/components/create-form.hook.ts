import { useState } from 'preact/hooks';
import { useFormFields } from './form-fields.hook';
import { describeError } from './load.hook';

/** A form checked into a request body, or the one line that says what is wrong with it. */
export type CheckedForm<B> = { ok: true; body: B } | { ok: false; problem: string };

/**
 * The state of a form that creates something: on submit the form is checked, then `create` is
 * called; success empties the form, keeps what was created (for a notice) and calls `onCreated`; a
 * refusal, like a problem the check found, becomes `problem`. The form keeps what was typed until
 * it succeeds, so the user can correct it.
 */
export function useCreateForm<F, B, R>(p: {
  empty: F;
  check: (form: F) => CheckedForm<B>;
  create: (body: B) => Promise<R>;
  onCreated: () => void;
}) {
  const fields = useFormFields<F>(p.empty);
  const { form, setForm } = fields;
  const [problem, setProblem] = useState<string>();
  const [created, setCreated] = useState<R>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = p.check(form);
    if (!checked.ok) return setProblem(checked.problem);
    try {
      setCreated(await p.create(checked.body));
      setProblem(undefined);
      setForm(p.empty);
      p.onCreated();
    } catch (err) {
      setProblem(describeError(err));
    }
  };
  return { ...fields, problem, created, submit: (e: Event) => void submit(e) };
}
