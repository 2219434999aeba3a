import { useState } from 'preact/hooks';

/** The fields of a form that an input edits as text. */
export type TextKey<F> = { [K in keyof F]-?: F[K] extends string ? K : never }[keyof F];

/** An input's handler that keeps its text as one field of a form. */
export type FieldHandler = (e: { currentTarget: { value: string } }) => void;

/** What `field` of a form of F is: the handler of the input that edits `key`. */
export type FieldsOf<F> = (key: TextKey<F>) => FieldHandler;

/** `field(key)`: the handler of the input that edits `key`, given the form's state setter. */
export function fieldSetter<F>(setForm: (change: (latest: F) => F) => void) {
  const field: FieldsOf<F> = (key) => (e) => {
    const { value } = e.currentTarget;
    // From the latest form, not this render's: two inputs in one tick must not undo each other.
    setForm((latest) => ({ ...latest, [key]: value }));
  };
  return field;
}

/**
 * What ties an input to one field of the form, spread into it: `text` a text input's or text area's
 * value and onInput, `choice` a drop-down's value and onChange. The key is named once, so an input
 * cannot show one field and write another.
 */
export interface FieldBinders<F> {
  text: (key: TextKey<F>) => { value: string; onInput: FieldHandler };
  choice: (key: TextKey<F>) => { value: string; onChange: FieldHandler };
}

export function fieldBinders<F>(form: F, field: FieldsOf<F>): FieldBinders<F> {
  // A TextKey's field holds a string (that is what TextKey picks).
  const value = (key: TextKey<F>) => form[key] as string;
  return {
    text: (key) => ({ value: value(key), onInput: field(key) }),
    choice: (key) => ({ value: value(key), onChange: field(key) }),
  };
}

/** A form's values as state, `field(key)` for each of its inputs (fieldSetter), and its binders. */
export function useFormFields<F>(initial: F) {
  const [form, setForm] = useState<F>(initial);
  const field = fieldSetter<F>(setForm);
  return { form, setForm, field, ...fieldBinders(form, field) };
}
