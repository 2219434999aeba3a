import type { ComponentChildren } from 'preact';

/**
 * A list's filters (or a picker of what to show): its fields in a row, then the submit button
 * (`submit`, Apply unless named) and anything after it. Submitting stays on the page: `onApply`
 * reads the fields.
 */
export function FilterForm(p: {
  /** Classes after `filters`. */
  class?: string;
  label?: string;
  role?: 'search';
  submit?: string;
  onApply: () => void;
  children: ComponentChildren;
  after?: ComponentChildren;
}) {
  return (
    <form
      class={p.class ? `filters ${p.class}` : 'filters'}
      aria-label={p.label}
      role={p.role}
      onSubmit={(e) => {
        e.preventDefault();
        p.onApply();
      }}
    >
      {p.children}
      <button type="submit">{p.submit ?? 'Apply'}</button>
      {p.after}
    </form>
  );
}
