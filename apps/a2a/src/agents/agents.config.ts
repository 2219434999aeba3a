import { A2a } from '@switchboard/contracts';

/** A remote agent as configured: the name plans and policies use, and its base URL. */
export interface ConfiguredAgent {
  name: string;
  baseUrl: string;
}

/**
 * Parses A2A_AGENTS: `name=url,name=url` or a JSON object `{"name": "url"}`. Names must be valid agent
 * names and unique; URLs absolute http(s). Throws with the offending entry named.
 */
export function parseAgentsConfig(raw: string): ConfiguredAgent[] {
  const text = raw.trim();
  if (!text) return [];
  let entries: [string, unknown][];
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new Error('must be a JSON object {"name": "url"}');
    entries = Object.entries(json);
  } else {
    entries = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item) => {
        const eq = item.indexOf('=');
        if (eq <= 0) throw new Error(`"${item}" must be name=url`);
        return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
      });
  }
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
