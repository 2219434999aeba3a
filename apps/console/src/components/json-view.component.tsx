import { formatJson } from '../model/format';

/**
 * A JSON value, readable; long values (and any value with `folded`) fold away behind a summary the
 * keyboard can open, pretty-printed.
 */
export function JsonView({
  value,
  label,
  folded = false,
}: {
  value: unknown;
  label: string;
  folded?: boolean;
}) {
  const compact = typeof value === 'string' ? value : JSON.stringify(value);
  if (!folded && compact !== undefined && compact.length <= 120 && !compact.includes('\n')) {
    return (
      <div class="json-line">
        <span class="json-label">{label}</span> <code>{compact}</code>
      </div>
    );
  }
  const text = formatJson(value);
  return (
    <details class="json">
      <summary>
        {label} <span class="muted">({text.length.toLocaleString('en-US')} characters)</span>
      </summary>
      {/* Focusable: a long value scrolls, and keyboard users scroll it with the arrow keys. */}
      <pre tabIndex={0}>{text}</pre>
    </details>
  );
}
