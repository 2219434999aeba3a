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

/** A form's values as state, and `field(key)` for each of its inputs (fieldSetter). */
export function useFormFields<F>(initial: F) {
  const [form, setForm] = useState<F>(initial);
  return { form, setForm, field: fieldSetter<F>(setForm) };
}
