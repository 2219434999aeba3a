import type { ComponentChildren } from 'preact';

/** A checkbox with its words after it, on one line; `class` names the label for styles and tests. */
export function CheckField(p: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <label class={p.class ? `inline ${p.class}` : 'inline'}>
      <input
        type="checkbox"
        checked={p.checked}
        onChange={(e) => p.onChange(e.currentTarget.checked)}
      />{' '}
      {p.children}
    </label>
  );
}
