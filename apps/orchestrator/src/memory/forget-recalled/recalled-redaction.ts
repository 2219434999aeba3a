import type { Tools } from '@switchboard/contracts';

/** A recorded recall: the item as recall gave it, or emptied once the item was forgotten. */
export type RecordedRecall = Tools.RecalledMemory & { forgotten?: true };

/** What stands where a forgotten item's content was quoted (the LLM request of a round). */
export const FORGOTTEN_MARK = '[forgotten]';

/** A planning round's record as far as recall goes: what was recalled, and the LLM request. */
export interface RoundRecall {
  context: { recalled?: RecordedRecall[] } & Record<string, unknown>;
  request: unknown;
}

/**
 * A round's record without what `forget` names: each such recalled item emptied (content and
 * metadata gone, `forgotten: true`, its id, namespace and writer kept so the record says something was
 * recalled and forgotten) and every quotation of its content in the LLM request replaced by
 * FORGOTTEN_MARK. Undefined when nothing in the round is forgotten by it.
 */
export function redactRound(
  round: RoundRecall,
  forget: (item: RecordedRecall) => boolean,
): (RoundRecall & { forgotten: number }) | undefined {
  const recalled = round.context.recalled ?? [];
  const gone = recalled.filter((r) => !r.forgotten && forget(r));
  if (!gone.length) return undefined;
  const ids = new Set(gone.map((r) => r.id));
  const contents = gone.map((r) => r.content).filter((c) => c.length > 0);
  return {
    context: {
      ...round.context,
      recalled: recalled.map((r) =>
        ids.has(r.id) ? { ...r, content: '', metadata: {}, forgotten: true as const } : r,
      ),
    },
    request: scrub(round.request, contents),
    forgotten: gone.length,
  };
}

/** `value` with every string's quotations of `contents` (as said, or JSON-quoted) replaced. */
function scrub(value: unknown, contents: string[]): unknown {
  if (typeof value === 'string') {
    let s = value;
    for (const c of contents)
      s = s.split(JSON.stringify(c)).join(FORGOTTEN_MARK).split(c).join(FORGOTTEN_MARK);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, contents));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, contents)]));
  return value;
}

/** The items a forget of `userId` removes: their namespace, and the thread items they wrote. */
export const ofUser =
  (userId: string) =>
  (r: RecordedRecall): boolean =>
    (r.namespace.kind === 'user' && r.namespace.key === userId) ||
    (r.namespace.kind === 'thread' && r.writtenBy.userId === userId);
