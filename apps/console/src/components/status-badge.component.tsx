import { statusSlug, statusWords } from '../model/status';

/** A status word with a colour; the word itself carries the meaning (colour is only a cue). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${statusSlug(status)}`} data-status={status}>
      {statusWords(status)}
    </span>
  );
}
