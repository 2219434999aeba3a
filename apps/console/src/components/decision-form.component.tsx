import type { ComponentChildren } from 'preact';
import { FormButtons } from './form-buttons.component';

/**
 * The form of one decision on a held call (approve with edited arguments, reject with a reason): its
 * labelled field (`children`, the field's id `id`), then its button and Back to the three choices.
 */
export function DecisionForm(p: {
  id: string;
  label: string;
  busy: boolean;
  submit: string;
  busyLabel: string;
  danger?: boolean;
  onBack: () => void;
  onSubmit: () => void;
  children: ComponentChildren;
}) {
  return (
    <form
      class="approval-form"
      onSubmit={(e) => {
        e.preventDefault();
        p.onSubmit();
      }}
    >
      <label for={p.id}>{p.label}</label>
      {p.children}
      <FormButtons
        busy={p.busy}
        label={p.submit}
        busyLabel={p.busyLabel}
        danger={p.danger === true}
        backLabel="Back"
        onBack={p.onBack}
      />
    </form>
  );
}
