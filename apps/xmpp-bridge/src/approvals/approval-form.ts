// The approval request as an XMPP chat message with an XEP-0004 data form, and the answers a person's
// client sends back: the submitted form, or a typed command ("approve 1a2b3c4d"). Pure: no session.
import { Approvals } from '@switchboard/contracts';
import { type Element, xml } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';

/** XEP-0004 data forms. */
export const NS_DATA = 'jabber:x:data';
/** The FORM_TYPE of our forms (XEP-0068): an answer to another form is not for us. */
export const APPROVAL_FORM_TYPE = 'urn:switchboard:approval:1';
/** How many characters of the approval id a typed command names it by. */
export const SHORT_ID_LENGTH = 8;
/** The arguments shown in the message stay readable (the full call is in the inbox and the API). */
const MAX_ARGS_CHARS = 2_000;
/** A typed answer longer than this is not one. */
const MAX_COMMAND_CHARS = 1_200;

export const shortIdOf = (approvalId: string): string => approvalId.slice(0, SHORT_ID_LENGTH);

/** What a person's message says, read without trusting it. */
export type ApprovalAnswer =
  /** Nothing for us: no body and no form of ours (chat states, receipts, another form). */
  | { kind: 'none' }
  /** The form, submitted. */
  | {
      kind: 'form';
      approvalId: string;
      taskId: string;
      decision: Approvals.ApprovalDecision;
      reason?: string;
    }
  /** A typed command: the approval named by the start of its id. */
  | { kind: 'command'; shortId: string; decision: Approvals.ApprovalDecision; reason?: string }
  /** The form, cancelled: nothing is decided. */
  | { kind: 'cancel' }
  /** Ours, but unusable: why, in words for the person. */
  | { kind: 'invalid'; message: string };

/** XML 1.0 cannot carry most control characters; a tool's arguments or a reason might hold some. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing them is the point
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ' ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The call's arguments as one line of JSON (already redacted: never a credential). */
function argumentsText(input: Record<string, unknown>): string {
  return clip(printable(JSON.stringify(input)), MAX_ARGS_CHARS);
}

/** The chat message's text: everything a person needs, for clients that show no forms. */
export function approvalRequestText(notice: Approvals.ApprovalRequestedPayload): string {
  const short = shortIdOf(notice.approvalId);
  return [
    `Approval needed: ${notice.kind} ${notice.target} (approval ${short}, task ${notice.taskId})`,
    `Arguments: ${argumentsText(notice.input)}`,
    ...(notice.reason ? [`Reason: ${clip(printable(notice.reason), 500)}`] : []),
    `Asked by ${notice.requestedBy}; expires ${notice.expiresAt}`,
    `Reply with the form, or "approve ${short}" / "reject ${short} <reason>".`,
  ].join('\n');
}

const field = (attrs: Record<string, string>, ...children: Element[]) =>
  xml('field', attrs, ...children);
const value = (text: string) => xml('value', {}, printable(text));

/** The XEP-0004 form: hidden ids, what is asked (fixed), the decision and a reason. */
export function approvalForm(notice: Approvals.ApprovalRequestedPayload): Element {
  return xml(
    'x',
    { xmlns: NS_DATA, type: 'form' },
    xml('title', {}, printable(`Approve ${notice.kind} ${notice.target}?`)),
    xml('instructions', {}, 'Choose approve or reject; a reason is shown to the model.'),
    field({ var: 'FORM_TYPE', type: 'hidden' }, value(APPROVAL_FORM_TYPE)),
    field({ var: 'approvalId', type: 'hidden' }, value(notice.approvalId)),
    field({ var: 'taskId', type: 'hidden' }, value(notice.taskId)),
    field({ var: 'target', type: 'fixed', label: 'Call' }, value(notice.target)),
    field(
      { var: 'arguments', type: 'fixed', label: 'Arguments' },
      value(argumentsText(notice.input)),
    ),
    field({ var: 'expiresAt', type: 'fixed', label: 'Expires' }, value(notice.expiresAt)),
    field(
      { var: 'decision', type: 'list-single', label: 'Decision' },
      xml('required'),
      xml('option', { label: 'Approve' }, value('approve')),
      xml('option', { label: 'Reject' }, value('reject')),
    ),
    field({ var: 'reason', type: 'text-single', label: 'Reason (optional)' }),
  );
}

/** The request as sent to one approver's JID. */
export function approvalRequestMessage(
  notice: Approvals.ApprovalRequestedPayload,
  to: string,
): Element {
  return xml(
    'message',
    { type: 'chat', to, id: randomUUID() },
    xml('body', {}, approvalRequestText(notice)),
    // One conversation per approval, so the answer's client can keep them apart.
    xml('thread', {}, notice.approvalId),
    approvalForm(notice),
  );
}

/** A plain chat reply (the outcome of an answer). */
export function chatReply(to: string, text: string, thread?: string): Element {
  return xml(
    'message',
    { type: 'chat', to, id: randomUUID() },
    xml('body', {}, printable(text)),
    ...(thread ? [xml('thread', {}, printable(thread))] : []),
  );
}

/** Each field's values, by `var` (fields without one are ignored). */
function fieldsOf(form: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of form.getChildren('field')) {
    const name = f.attrs['var'];
    if (name)
      out.set(
        name,
        f.getChildren('value').map((v) => v.getText().trim()),
      );
  }
  return out;
}

const UUID = Approvals.ApprovalId;

/** The optional reason, checked as every surface checks it. */
function readReason(text: string | undefined): { reason?: string } | { message: string } {
  const trimmed = text?.trim();
  if (!trimmed) return {};
  const checked = Approvals.ApprovalReason.safeParse(trimmed);
  return checked.success
    ? { reason: checked.data }
    : { message: `reason: ${checked.error.issues[0]?.message ?? 'invalid'}` };
}

function readForm(form: Element): ApprovalAnswer {
  const fields = fieldsOf(form);
  if (fields.get('FORM_TYPE')?.[0] !== APPROVAL_FORM_TYPE) return { kind: 'none' };
  if (form.attrs['type'] === 'cancel') return { kind: 'cancel' };
  if (form.attrs['type'] !== 'submit')
    return { kind: 'invalid', message: 'the form must be submitted (type "submit")' };
  const approvalId = fields.get('approvalId')?.[0] ?? '';
  const taskId = fields.get('taskId')?.[0] ?? '';
  if (!UUID.safeParse(approvalId).success)
    return { kind: 'invalid', message: 'approvalId: missing or not an approval id' };
  if (!UUID.safeParse(taskId).success)
    return { kind: 'invalid', message: 'taskId: missing or not a task id' };
  const decision = Approvals.ApprovalDecision.safeParse(fields.get('decision')?.[0]);
  if (!decision.success)
    return { kind: 'invalid', message: 'decision: choose "approve" or "reject"' };
  const reason = readReason(fields.get('reason')?.join('\n'));
  if ('message' in reason) return { kind: 'invalid', message: reason.message };
  return { kind: 'form', approvalId, taskId, decision: decision.data, ...reason };
}

const COMMAND = /^(approve|reject)(?:\s+(\S+))?(?:\s+([\s\S]*))?$/i;
const SHORT_ID = /^[0-9a-f-]{4,36}$/i;

function readCommand(body: string): ApprovalAnswer {
  const text = body.trim();
  const match = COMMAND.exec(text);
  if (!match) {
    // A first word that is no command: not an answer, but the person should hear how to answer.
    return {
      kind: 'invalid',
      message: 'answer with the form, or "approve <id>" / "reject <id> <reason>"',
    };
  }
  if (text.length > MAX_COMMAND_CHARS)
    return { kind: 'invalid', message: `an answer has at most ${MAX_COMMAND_CHARS} characters` };
  const decision = (match[1] ?? '').toLowerCase() as Approvals.ApprovalDecision;
  const shortId = match[2] ?? '';
  if (!SHORT_ID.test(shortId))
    return {
      kind: 'invalid',
      message: `name the approval: "${decision} <the id from the request>"`,
    };
  const reason = readReason(match[3]);
  if ('message' in reason) return { kind: 'invalid', message: reason.message };
  return { kind: 'command', shortId: shortId.toLowerCase(), decision, ...reason };
}

/** Reads a person's message: our form (first), else a typed command in the body. */
export function readApprovalAnswer(message: Element): ApprovalAnswer {
  const form = message.getChild('x', NS_DATA);
  if (form) {
    const answer = readForm(form);
    if (answer.kind !== 'none') return answer;
  }
  const body = message.getChildText('body');
  return body && body.trim() ? readCommand(body) : { kind: 'none' };
}
