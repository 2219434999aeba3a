import { A2a, Approvals } from '@switchboard/contracts';

/** A remote agent as configured: the name plans and policies use, and its base URL. */
export interface ConfiguredAgent {
  name: string;
  baseUrl: string;
  /** A person decides each delegation to it first (the JSON list form's `approval`). */
  approval?: Approvals.ApprovalPolicy;
}

/** One entry as written: its name, its URL, and (JSON list form only) its approval policy. */
type Entry = [name: string, url: unknown, approval?: Approvals.ApprovalPolicy];

const FORMS =
  'name=url,name=url, a JSON object {"name": "url"} or a JSON list [{"name": "...", "url": "..."}]';

/** The entries of a JSON list: each one an object naming the agent and its URL (and its policy). */
function listEntries(list: unknown[]): Entry[] {
  return list.map((item, i) => {
    const where = `entry ${i + 1} of the list`;
    if (typeof item === 'string')
      throw new Error(
        `${where} ("${item}") needs a name: {"name": "researcher", "url": "${item}"}`,
      );
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new Error(`${where} must be an object {"name": "...", "url": "..."}`);
    const { name, url, approval, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new Error(`${where} has unknown fields: ${unknown.join(', ')}`);
    if (typeof name !== 'string') throw new Error(`${where} needs a "name" string`);
    if (approval === undefined) return [name, url];
    return [name, url, approvalPolicyOf(approval, `${where} (agent "${name}")`)];
  });
}

/** An entry's `approval`, validated as the tools' policies are; the error names the field. */
function approvalPolicyOf(approval: unknown, where: string): Approvals.ApprovalPolicy {
  const parsed = Approvals.ApprovalPolicy.safeParse(approval);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = ['approval', ...(issue?.path ?? [])].join('.');
  throw new Error(`${where}: ${field} ${issue?.message ?? 'is invalid'}`);
}

/** The entries of the JSON form: an object keyed by name, or a list of {name, url, approval?}. */
function jsonEntries(text: string): Entry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (Array.isArray(json)) return listEntries(json);
  if (!json || typeof json !== 'object') throw new Error(`must be ${FORMS}`);
  return Object.entries(json) as Entry[];
}

/**
 * Parses A2A_AGENTS: `name=url,name=url`, a JSON object `{"name": "url"}`, or a JSON list
 * `[{"name": "...", "url": "...", "approval": {...}}]` (the structured form a Helm values file
 * renders; only it carries an approval policy, `Approvals.ApprovalPolicy`). Names must be valid agent
 * names and unique; URLs absolute http(s). Throws with the offending entry (and field) named.
 */
export function parseAgentsConfig(raw: string): ConfiguredAgent[] {
  const text = raw.trim();
  if (!text) return [];
  const entries =
    text.startsWith('{') || text.startsWith('[')
      ? jsonEntries(text)
      : text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((item): Entry => {
            const eq = item.indexOf('=');
            if (eq <= 0) throw new Error(`"${item}" must be name=url (or use the JSON forms)`);
            return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
          });
  const seen = new Set<string>();
  return entries.map(([name, url, approval]) => {
    const parsedName = A2a.AgentName.safeParse(name);
    if (!parsedName.success)
      throw new Error(
        `agent name "${name}" ${parsedName.error.issues[0]?.message ?? 'is invalid'}`,
      );
    if (seen.has(name)) throw new Error(`agent "${name}" is listed twice`);
    seen.add(name);
    if (typeof url !== 'string') throw new Error(`the URL of agent "${name}" must be a string`);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`the URL of agent "${name}" is not an absolute URL: "${url}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new Error(`the URL of agent "${name}" must be http(s): "${url}"`);
    return { name, baseUrl: u.href.replace(/\/+$/, ''), ...(approval ? { approval } : {}) };
  });
}
