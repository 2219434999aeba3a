import type { MemoryItemForgotten, MemoryUserForgotten } from '@switchboard/client';
import type { Tools } from '@switchboard/contracts';

export type MemoryItem = Tools.MemoryItem;
export type RecalledMemory = Tools.RecalledMemory;
export type NamespaceKind = Tools.MemoryNamespaceKind;
export type Namespace = Tools.MemoryNamespace;

/** `DELETE /memory/{id}`: the store's answer, and how many recorded recalls the run records emptied. */
export type ItemForgotten = MemoryItemForgotten;

/** `DELETE /memory/users/{userId}`: items deleted, the read-back, and the recorded recalls emptied. */
export type UserForgotten = MemoryUserForgotten;

/** `PATCH /memory/{id}`: what an edit sets (the console edits the content). */
export type MemoryChange = Tools.MemoryChange;

/** The namespace kinds, as the picker names them (docs/memory.md, Model). */
export const NAMESPACE_CHOICES: { kind: NamespaceKind; label: string; keyLabel: string }[] = [
  { kind: 'user', label: 'My memory (user)', keyLabel: 'User id' },
  { kind: 'thread', label: 'A thread', keyLabel: 'Thread id' },
  { kind: 'agent', label: 'An agent', keyLabel: 'Agent name' },
  { kind: 'tenant', label: 'The tenant (shared)', keyLabel: 'Name' },
];

/** What the picker's key field is called for a kind: "User id", "Thread id", … */
export const keyLabelOf = (kind: NamespaceKind): string =>
  NAMESPACE_CHOICES.find((c) => c.kind === kind)?.keyLabel ?? 'Key';

/** The contract's namespace key (libs/contracts MemoryNamespace). */
const KEY = /^[A-Za-z0-9_.:@-]{1,200}$/;

/**
 * The namespace `GET /memory` should list for the picker, or the problem to show instead: a user
 * namespace defaults to the signed-in user's own; the others need a key.
 */
export function namespaceOf(
  kind: NamespaceKind,
  rawKey: string,
  me: string,
): { ok: true; namespace: Namespace } | { ok: false; problem: string } {
  const key = rawKey.trim() || (kind === 'user' ? me : '');
  const label = keyLabelOf(kind);
  if (!key) return { ok: false, problem: `Give the ${label.toLowerCase()} to list.` };
  if (!KEY.test(key))
    return {
      ok: false,
      problem: `${label} may hold letters, digits and _ . : @ - only (at most 200).`,
    };
  return { ok: true, namespace: { kind, key } };
}

/** A namespace in one token, as the API's messages and the audit name it: `user:ada`. */
export const namespaceWords = (ns: Namespace): string => `${ns.kind}:${ns.key}`;

/** How a search found an item, in words: "by meaning" (embeddings) or "by words" (full-text search). */
export function matchedWords(matchedBy: RecalledMemory['matchedBy']): string {
  if (matchedBy === 'meaning') return 'by meaning';
  if (matchedBy === 'words') return 'by words';
  return 'matched';
}

/** A search's score: a cosine by meaning, a full-text rank by words — comparable within one search only. */
export function scoreWords(score: number): string {
  return score.toFixed(score !== 0 && Math.abs(score) < 0.01 ? 4 : 2);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** What forgetting one item did: the item, and the recorded recalls of tasks' run records emptied. */
export function itemForgottenWords(r: ItemForgotten): string {
  const recalls = `${plural(r.recalls, 'recorded recall')} in tasks' run records emptied`;
  return r.deleted
    ? `Forgotten; ${recalls}.`
    : `Nothing was deleted from the store (already gone, or not yours to forget); ${recalls}.`;
}

/** What "Forget me" did: how many items went, and whether the read-back found nothing left. */
export function userForgottenWords(r: UserForgotten): string {
  const what = `Forgot ${plural(r.deleted, 'item')} of ${r.userId}; ${plural(r.recalls, 'recorded recall')} in tasks' run records emptied.`;
  return r.verified
    ? `${what} Verified: nothing of it remains.`
    : `${what} Not verified: something of it is still there — ask again.`;
}

/** The contract's content limit (libs/contracts MEMORY_CONTENT_MAX), checked before the API does. */
export const CONTENT_MAX = 4_000;

/**
 * The change an edit of `before` into `draft` asks for, or the problem to show instead: the content
 * trimmed, not empty, within the limit, and different (an unchanged Save sends nothing).
 */
export function contentEdit(
  before: string,
  draft: string,
): { ok: true; change: MemoryChange | undefined } | { ok: false; problem: string } {
  const content = draft.trim();
  if (!content) return { ok: false, problem: 'Content: write something (or Forget the item).' };
  if (content.length > CONTENT_MAX)
    return {
      ok: false,
      problem: `Content: at most ${CONTENT_MAX.toLocaleString('en')} characters (${content.length.toLocaleString('en')} now).`,
    };
  return { ok: true, change: content === before ? undefined : { content } };
}

/** The contract's user id (libs/contracts UserId). */
const USER_ID = /^[A-Za-z0-9._@:+-]{1,128}$/;

/** The user id an admin asks to forget, or the problem to show instead. */
export function userToForget(
  raw: string,
): { ok: true; userId: string } | { ok: false; problem: string } {
  const userId = raw.trim();
  if (!userId) return { ok: false, problem: 'User id: give the user to forget.' };
  if (!USER_ID.test(userId))
    return {
      ok: false,
      problem: 'User id: letters, digits and . _ @ : + - only (at most 128).',
    };
  return { ok: true, userId };
}
