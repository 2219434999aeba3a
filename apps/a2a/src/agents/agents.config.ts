import { A2a } from '@switchboard/contracts';

/** A remote agent as configured: the name plans and policies use, and its base URL. */
export interface ConfiguredAgent {
  name: string;
  baseUrl: string;
}

const FORMS =
  'name=url,name=url, a JSON object {"name": "url"} or a JSON list [{"name": "...", "url": "..."}]';

/** The entries of a JSON list: each one an object naming the agent and its URL. */
function listEntries(list: unknown[]): [string, unknown][] {
  return list.map((item, i) => {
    const where = `entry ${i + 1} of the list`;
    if (typeof item === 'string')
      throw new Error(
        `${where} ("${item}") needs a name: {"name": "researcher", "url": "${item}"}`,
      );
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new Error(`${where} must be an object {"name": "...", "url": "..."}`);
    const { name, url, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length) throw new Error(`${where} has unknown fields: ${unknown.join(', ')}`);
    if (typeof name !== 'string') throw new Error(`${where} needs a "name" string`);
    return [name, url];
  });
}

/** The entries of the JSON form: an object keyed by name, or a list of {name, url}. */
function jsonEntries(text: string): [string, unknown][] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (Array.isArray(json)) return listEntries(json);
  if (!json || typeof json !== 'object') throw new Error(`must be ${FORMS}`);
  return Object.entries(json);
}

/**
 * Parses A2A_AGENTS: `name=url,name=url`, a JSON object `{"name": "url"}`, or a JSON list
 * `[{"name": "...", "url": "..."}]` (the structured form a Helm values file renders). Names must be
 * valid agent names and unique; URLs absolute http(s). Throws with the offending entry named.
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
          .map((item): [string, string] => {
            const eq = item.indexOf('=');
            if (eq <= 0) throw new Error(`"${item}" must be name=url (or use the JSON forms)`);
            return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
          });
  const seen = new Set<string>();
  return entries.map(([name, url]) => {
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
    return { name, baseUrl: u.href.replace(/\/+$/, '') };
  });
}
