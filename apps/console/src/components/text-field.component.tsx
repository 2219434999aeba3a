import type { InputHTMLAttributes } from 'preact';

/** One input of a form, its label's text before it; the rest are the input's own attributes. */
export function TextField({
  label,
  ...input
}: { label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label>
      {label}
      <input {...input} />
    </label>
  );
}
