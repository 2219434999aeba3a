import type { Approvals, Tools } from '@switchboard/contracts';

/** A tool's effective policy as `GET /approval-policies` lists it. */
export type PolicyEntry = Tools.ApprovalPolicyEntry;
/** A tool's policy after `PUT /approval-policies/{tool}` (source `none`, policy `null`: none left). */
export type PolicyState = Tools.ApprovalPolicyState;
export type ApprovalPolicy = Approvals.ApprovalPolicy;
/** The body of `PUT /approval-policies/{tool}`: the override, or `null` to remove it. */
export interface PolicyBody {
  policy: ApprovalPolicy | null;
}

/**
 * A policy as it may arrive (a manifest's tool, an agent, the list): fields the schema defaults may be
 * absent, so the words below fill them in as the platform does (docs/approvals.md "Policies").
 */
export interface PolicyLike {
  approvers?: { requester?: boolean; roles?: string[]; users?: string[] } | undefined;
  allowSelf?: boolean | undefined;
  expiresInMs?: number | undefined;
  onExpiry?: 'reject' | 'fail' | undefined;
}

/** The limits the API enforces (libs/contracts approval.schemas.ts), checked before anything is sent. */
export const MIN_EXPIRY_MS = 1_000;
export const MAX_EXPIRY_MS = 30 * 24 * 3_600_000;
export const DEFAULT_EXPIRY_MS = 24 * 3_600_000;
const MAX_ROLES = 20;
const MAX_USERS = 100;
const ROLE = /^[a-z][a-z0-9_-]{0,31}$/;
const USER_ID = /^[A-Za-z0-9._@:+-]{1,128}$/;
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A policy with the schema's defaults filled in. */
export function normalized(p: PolicyLike): ApprovalPolicy {
  return {
    approvers: {
      requester: p.approvers?.requester ?? true,
      roles: p.approvers?.roles ?? [],
      users: p.approvers?.users ?? [],
    },
    allowSelf: p.allowSelf ?? true,
    expiresInMs: p.expiresInMs ?? DEFAULT_EXPIRY_MS,
    onExpiry: p.onExpiry ?? 'reject',
  };
}

/**
 * Who may decide, in words: "the requester", "role finance or user bob (four eyes: never the
 * requester)". Admins may decide any approval besides; the words name only what the policy adds.
 */
export function approversWords(p: PolicyLike): string {
  const { approvers, allowSelf } = normalized(p);
  const who = [
    approvers.requester ? 'the requester' : undefined,
    approvers.roles.length
      ? `${approvers.roles.length === 1 ? 'role' : 'roles'} ${approvers.roles.join(', ')}`
      : undefined,
    approvers.users.length
      ? `${approvers.users.length === 1 ? 'user' : 'users'} ${approvers.users.join(', ')}`
      : undefined,
  ].filter((w): w is string => w !== undefined);
  const words = who.length ? who.join(' or ') : 'admins only';
  return allowSelf ? words : `${words} (four eyes: never the requester)`;
}

/** The catalogue's note on a tool or agent with a policy: "needs approval: the requester". */
export function needsApprovalWords(p: PolicyLike): string {
  return `needs approval: ${approversWords(p)}`;
}

const UNITS = [
  { unit: 'days', ms: 24 * 3_600_000 },
  { unit: 'h', ms: 3_600_000 },
  { unit: 'min', ms: 60_000 },
  { unit: 's', ms: 1_000 },
] as const;
const SECONDS = UNITS[3];
export type ExpiryUnit = (typeof UNITS)[number]['unit'];
export const EXPIRY_UNITS: readonly ExpiryUnit[] = UNITS.map((u) => u.unit);

/** How long a request stays open, in words: "1 day", "2 h 30 min", "90 s" → "1 min 30 s". */
export function durationWords(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return `${ms} ms`;
  const parts: string[] = [];
  let left = ms;
  for (const { unit, ms: size } of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) parts.push(unit === 'days' ? `${n} ${n === 1 ? 'day' : 'days'}` : `${n} ${unit}`);
    left -= n * size;
  }
  if (left > 0) parts.push(`${left} ms`);
  return parts.join(' ');
}

/** What expiry does, in words. */
export function onExpiryWords(onExpiry: 'reject' | 'fail' | undefined): string {
  return onExpiry === 'fail' ? 'the task fails' : 'the call counts as rejected';
}

/** Where the policy comes from, in words: "definition", "override by root". */
export function sourceWords(e: Pick<PolicyState, 'source' | 'setBy'>): string {
  if (e.source === 'override') return e.setBy ? `override by ${e.setBy}` : 'override';
  if (e.source === 'none') return 'none';
  return 'definition';
}

/** The policies by tool name, so the table reads in a stable order. */
export function sortedPolicies(list: readonly PolicyEntry[]): PolicyEntry[] {
  return [...list].sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
}

/** What a change did, in one line for the page. */
export function changedWords(s: PolicyState): string {
  if (!s.policy) return `${s.tool}: its calls need no approval now.`;
  const from = s.source === 'override' ? 'override' : "the definition's policy";
  return `${s.tool} needs approval: ${approversWords(s.policy)} (${from}).`;
}

/** The policy form's fields as the page holds them (text as typed). */
export interface PolicyForm {
  requester: boolean;
  /** Comma- or space-separated roles. */
  roles: string;
  /** Comma- or space-separated user ids. */
  users: string;
  /** Four eyes: the requester may never decide their own call (`allowSelf: false`). */
  fourEyes: boolean;
  expiresIn: string;
  expiresUnit: ExpiryUnit;
  onExpiry: 'reject' | 'fail';
}

/** The form filled with a policy (an entry's, to edit it), or with the defaults for a new one. */
export function formOf(p: PolicyLike = {}): PolicyForm {
  const n = normalized(p);
  const unit = UNITS.find((u) => n.expiresInMs % u.ms === 0) ?? SECONDS;
  return {
    requester: n.approvers.requester,
    roles: n.approvers.roles.join(', '),
    users: n.approvers.users.join(', '),
    fourEyes: !n.allowSelf,
    expiresIn: String(n.expiresInMs / unit.ms),
    expiresUnit: unit.unit,
    onExpiry: n.onExpiry,
  };
}

/** A problem with one field of the form, named by its path in the policy (as the API names it). */
export interface FieldProblem {
  field: string;
  message: string;
}

const words = (text: string) => text.split(/[\s,]+/).filter((w) => w.length > 0);

/**
 * The body of `PUT /approval-policies/{tool}` for the form, or the problems to show instead of sending
 * it — each naming the policy's field, with the rules the API applies (so a refusal is rare; the API's
 * own message is shown when it still refuses).
 */
export function policyBody(
  f: PolicyForm,
): { ok: true; body: { policy: ApprovalPolicy } } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const roles = [...new Set(words(f.roles))];
  const users = [...new Set(words(f.users))];
  for (const r of roles)
    if (!ROLE.test(r))
      problems.push({
        field: 'approvers.roles',
        message: `"${r}" is not a role: 1-32 lowercase letters, digits, "_" or "-", starting with a letter`,
      });
  if (roles.length > MAX_ROLES)
    problems.push({ field: 'approvers.roles', message: `at most ${MAX_ROLES} roles` });
  for (const u of users)
    if (!USER_ID.test(u))
      problems.push({
        field: 'approvers.users',
        message: `"${u}" is not a user id: up to 128 letters, digits and . _ @ : + -`,
      });
  if (users.length > MAX_USERS)
    problems.push({ field: 'approvers.users', message: `at most ${MAX_USERS} users` });
  if (!f.requester && roles.length === 0 && users.length === 0)
    problems.push({
      field: 'approvers',
      message: 'must name someone: the requester, a role or a user',
    });
  if (f.requester && f.fourEyes)
    problems.push({
      field: 'allowSelf',
      message:
        'four eyes needs approvers other than the requester: untick "the requester" and name roles or users',
    });
  const expiresInMs = expiryMs(f.expiresIn, f.expiresUnit);
  if (typeof expiresInMs === 'string')
    problems.push({ field: 'expiresInMs', message: expiresInMs });
  if (problems.length || typeof expiresInMs === 'string') return { ok: false, problems };
  return {
    ok: true,
    body: {
      policy: {
        approvers: { requester: f.requester, roles, users },
        allowSelf: !f.fourEyes,
        expiresInMs,
        onExpiry: f.onExpiry,
      },
    },
  };
}

/** The expiry in ms, or what is wrong with it. */
function expiryMs(text: string, unit: ExpiryUnit): number | string {
  const t = text.trim();
  if (!t) return 'say how long a request stays open';
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) return `"${t}" is not a positive number`;
  const size = UNITS.find((u) => u.unit === unit)?.ms ?? 1_000;
  const ms = Math.round(n * size);
  if (ms < MIN_EXPIRY_MS) return 'must be at least 1 s';
  if (ms > MAX_EXPIRY_MS) return 'must be at most 30 days';
  return ms;
}

/** What is wrong with a tool name typed to add a policy, if anything. */
export function toolNameProblem(name: string): string | undefined {
  const n = name.trim();
  if (!n) return 'tool: give the name of the tool (e.g. notes.add)';
  if (!TOOL_NAME.test(n)) return `tool: "${n}" may hold letters, digits and . _ - only`;
  return undefined;
}

/** The problems as lines for the page: "approvers.roles: …". */
export function problemLines(problems: readonly FieldProblem[]): string[] {
  return problems.map((p) => `${p.field}: ${p.message}`);
}
