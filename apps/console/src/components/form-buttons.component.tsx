/** A form's submit button (its label while busy) and the way out of the form. */
export function FormButtons(p: {
  busy: boolean;
  label: string;
  busyLabel: string;
  danger?: boolean;
  /** The way-out button's words: Back, Close, Cancel. */
  backLabel: string;
  onBack: () => void;
}) {
  return (
    <div class="approval-buttons">
      <button type="submit" class={p.danger ? 'danger' : undefined} disabled={p.busy}>
        {p.busy ? p.busyLabel : p.label}
      </button>
      <button type="button" class="link" onClick={p.onBack}>
        {p.backLabel}
      </button>
    </div>
  );
}
