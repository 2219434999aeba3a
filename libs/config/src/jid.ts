/**
 * JID syntax (RFC 7622), enough to validate configuration: `local@domain/resource`, with the
 * characters a localpart may not contain and the length limits of each part. No stringprep: the
 * server normalises, we only refuse what can never be valid.
 */
export interface Jid {
  local: string;
  domain: string;
  resource?: string;
}

const LOCAL_FORBIDDEN = /["&'/:<>@\s]/;
const DOMAIN =
  /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$|^\d{1,3}(\.\d{1,3}){3}$|^\[[0-9a-fA-F:]+\]$/;

/** Parses a JID or returns why it is not one. A localpart is required when `needLocal`. */
export function parseJid(text: string, needLocal = true): Jid | string {
  const value = text.trim();
  const slash = value.indexOf('/');
  const bare = slash === -1 ? value : value.slice(0, slash);
  const resource = slash === -1 ? undefined : value.slice(slash + 1);
  const at = bare.lastIndexOf('@');
  const local = at === -1 ? '' : bare.slice(0, at);
  const domain = (at === -1 ? bare : bare.slice(at + 1)).toLowerCase();
  if (needLocal && !local) return `"${text}" has no local part (expected user@domain)`;
  if (local && (LOCAL_FORBIDDEN.test(local) || Buffer.byteLength(local) > 1023)) {
    return `"${text}" has an invalid local part`;
  }
  if (!DOMAIN.test(domain)) return `"${text}" has an invalid domain "${domain}"`;
  if (resource !== undefined && (resource.length === 0 || Buffer.byteLength(resource) > 1023)) {
    return `"${text}" has an empty or too long resource`;
  }
  return { local, domain, ...(resource !== undefined ? { resource } : {}) };
}

export function bareJid(jid: Jid): string {
  return jid.local ? `${jid.local}@${jid.domain}` : jid.domain;
}

export function formatJid(jid: Jid): string {
  return jid.resource === undefined ? bareJid(jid) : `${bareJid(jid)}/${jid.resource}`;
}

/** The bare JID of a JID string, lower-cased (`User@Host/res` → `user@host`). */
export function bareOf(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** A JID as the server routes it: local part and domain are case-insensitive, the resource is not. */
export function jidKey(jid: string): string {
  const slash = jid.indexOf('/');
  return slash === -1
    ? jid.toLowerCase()
    : `${jid.slice(0, slash).toLowerCase()}${jid.slice(slash)}`;
}

/** Whether `jid` is `target` (a full JID), or one of its resources when `target` is bare. */
export function isJidOf(jid: string, target: string): boolean {
  return target.includes('/') ? jidKey(jid) === jidKey(target) : bareOf(jid) === bareOf(target);
}
