import type { Approvals } from '@switchboard/contracts';

export type ApprovalView = Approvals.ApprovalView;
export type ApprovalDecisionBody = Approvals.ApprovalDecisionBody;

/** The call an approval holds, as the controls need it (an inbox row or a timeline card). */
export interface HeldCall {
  taskId: string;
  approvalId: string;
  kind: 'tool' | 'agent';
  target: string;
  input: unknown;
}

/** What a person chose on the page, before it becomes the API's body. */
export type Choice =
  { decision: 'approve'; edited?: string } | { decision: 'reject'; reason: string };

/**
 * The body of `POST /tasks/{id}/approvals/{approvalId}` for a choice, or the problem to show instead
 * of sending it. Edited arguments must be a JSON object; an edit that changes nothing is no edit (the
 * approval then records the arguments as they were asked for). A rejection needs its reason: the
 * planner hears it.
 */
export function decisionBody(
  call: Pick<HeldCall, 'input'>,
  choice: Choice,
): { ok: true; body: ApprovalDecisionBody } | { ok: false; problem: string } {
  if (choice.decision === 'reject') {
    const reason = choice.reason.trim();
    if (!reason) return { ok: false, problem: 'Give a reason: the task hears it.' };
    if (reason.length > 1_000) return { ok: false, problem: 'The reason is over 1000 characters.' };
    return { ok: true, body: { decision: 'reject', reason } };
  }
  if (choice.edited === undefined) return { ok: true, body: { decision: 'approve' } };
  let input: unknown;
  try {
    input = JSON.parse(choice.edited);
  } catch (e) {
    return { ok: false, problem: `The arguments are not JSON: ${(e as Error).message}` };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, problem: 'The arguments must be a JSON object ({ … }).' };
  return canonical(input) === canonical(call.input)
    ? { ok: true, body: { decision: 'approve' } }
    : { ok: true, body: { decision: 'approve', input: input as Record<string, unknown> } };
}

/** JSON with object keys sorted, so two values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The arguments as the editor starts with them: the call's, pretty-printed. */
export function editorText(input: unknown): string {
  return JSON.stringify(input ?? {}, null, 2);
}

/** What the call is, in words: "call notes.add" or "delegate to researcher". */
export function callWords(c: Pick<HeldCall, 'kind' | 'target'>): string {
  return c.kind === 'agent' ? `delegate to ${c.target}` : `call ${c.target}`;
}

/** How long until an approval expires, for a person deciding it: "in 23 h 59 min", "expired". */
export function expiryWords(expiresAt: string, now: number): string {
  const left = Date.parse(expiresAt) - now;
  if (!Number.isFinite(left)) return `at ${expiresAt}`;
  if (left <= 0) return 'expired';
  const minutes = Math.floor(left / 60_000);
  if (minutes < 1) return `in ${Math.ceil(left / 1_000)} s`;
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `in ${Math.floor(hours / 24)} days`;
}

/** What a decision did, in one line for the page. */
export function decidedWords(
  v: Pick<ApprovalView, 'status' | 'target' | 'taskId' | 'editedInput'>,
): string {
  const task = `task ${v.taskId.slice(0, 8)}`;
  switch (v.status) {
    case 'approved':
      return `Approved ${v.target}${v.editedInput ? ' with your arguments' : ''} (${task}): the task resumes.`;
    case 'rejected':
      return `Rejected ${v.target} (${task}): the task hears why and goes on without it.`;
    default:
      return `${v.target} (${task}) is ${v.status}.`;
  }
}
