import { bareJid, parseJid } from '@switchboard/config';
import {
  type Actor,
  Actor as ActorSchema,
  DEFAULT_ROLE,
  Role,
  UserId,
} from '@switchboard/contracts';
import { z } from 'zod';

/**
 * One JID that decides approvals over XMPP, and who it decides as. A JID listed under `role:<R>`
 * decides as `{userId: 'xmpp:<bare jid>', role: R}` (it is nobody's account, it holds the role); under
 * `user:<U>` as the platform user `{userId: U, role: 'user'}` (their tasks, approvals naming them).
 */
export interface XmppApprover {
  /** Lower-case bare JID. */
  jid: string;
  /** Where the configuration lists it: `role:admin`, `user:ann`. */
  key: string;
  kind: 'role' | 'user';
  /** The role or user id of the key. */
  name: string;
  actor: Actor;
}

/** The `userId` a role's JID decides as. */
export const xmppUserId = (bare: string): string => `xmpp:${bare}`;

const KEY = /^(role|user):(.+)$/;

/** `role:admin=a@x|b@x;user:ann=ann@x`, as key → JIDs. */
function parsePairs(text: string, issue: (m: string) => void): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of text.split(';').map((p) => p.trim())) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq === -1) {
      issue(`"${part}" is not key=jid (e.g. role:admin=alice@example.org|bob@example.org)`);
      continue;
    }
    const key = part.slice(0, eq).trim();
    out[key] = [...(out[key] ?? []), ...part.slice(eq + 1).split('|')];
  }
  return out;
}

/** JSON `{"role:admin": ["alice@x"], "user:ann": "ann@x"}`, as key → JIDs. */
function parseJson(text: string, issue: (m: string) => void): Record<string, string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    issue('is not valid JSON (or use role:admin=alice@example.org;user:ann=ann@example.org)');
    return {};
  }
  const shape = z.record(z.string(), z.union([z.string(), z.array(z.string())])).safeParse(raw);
  if (!shape.success) {
    issue('must be a JSON object of "role:<role>" or "user:<userId>" to a JID or a list of JIDs');
    return {};
  }
  return Object.fromEntries(
    Object.entries(shape.data).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
  );
}

/** One key's approvers, or the problems with it (the key and JID named in each). */
function approversOf(key: string, jids: string[], issue: (m: string) => void): XmppApprover[] {
  const match = KEY.exec(key);
  if (!match) {
    issue(`"${key}" must be role:<role> or user:<userId>`);
    return [];
  }
  const kind = match[1] as 'role' | 'user';
  const name = match[2] ?? '';
  const named = (kind === 'role' ? Role : UserId).safeParse(name);
  if (!named.success) {
    issue(`"${key}": the ${kind} ${named.error.issues[0]?.message ?? 'is invalid'}`);
    return [];
  }
  const out: XmppApprover[] = [];
  for (const text of jids.map((j) => j.trim()).filter(Boolean)) {
    const jid = parseJid(text);
    if (typeof jid === 'string') issue(`${key}: ${jid}`);
    else if (jid.resource !== undefined) issue(`${key}: "${text}" must be a bare JID`);
    else {
      const bare = bareJid(jid).toLowerCase();
      const actor = ActorSchema.safeParse(
        kind === 'role'
          ? { userId: xmppUserId(bare), role: name }
          : { userId: name, role: DEFAULT_ROLE },
      );
      if (!actor.success) issue(`${key}: "${text}" cannot be a user id (${actor.error.message})`);
      else out.push({ jid: bare, key, kind, name, actor: actor.data });
    }
  }
  if (out.length === 0 && jids.every((j) => !j.trim())) issue(`${key}: names no JID`);
  return out;
}

/**
 * XMPP_APPROVERS: who decides approvals from an XMPP client. Empty or unset: nobody (the feature is
 * off). A JID may appear under one key only, because it decides as one identity.
 */
export const envXmppApprovers = z
  .string()
  .optional()
  .transform((value, ctx): XmppApprover[] => {
    const text = value?.trim() ?? '';
    if (!text) return [];
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const keyed = text.startsWith('{') ? parseJson(text, issue) : parsePairs(text, issue);
    const approvers = Object.entries(keyed).flatMap(([k, jids]) => approversOf(k, jids, issue));
    const seen = new Map<string, string>();
    for (const a of approvers) {
      const earlier = seen.get(a.jid);
      if (earlier && earlier !== a.key)
        issue(`${a.jid} is listed under ${earlier} and ${a.key}: a JID decides as one identity`);
      seen.set(a.jid, a.key);
    }
    // The same JID twice under one key is one approver.
    return [...new Map(approvers.map((a) => [a.jid, a])).values()];
  });
