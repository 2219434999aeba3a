import { type Actor, isAdmin } from '@switchboard/contracts';

/** Agent names a role (or user) may use; `'*'` means every agent. */
export type AgentPolicy = ReadonlyMap<string, ReadonlySet<string> | '*'>;

const KEY = /^(\*|[a-z][a-z0-9_-]{0,31}|user:[A-Za-z0-9._@:+-]{1,128})$/;
const AGENT = /^(\*|[a-z][a-z0-9_-]*)$/;

/**
 * Parses A2A_AGENT_POLICY: `role=agent|agent;role=*;*=agent` or JSON `{"role": ["agent"] | "*"}`.
 * Keys are roles, `user:<id>` for one user, or `*` (every role not listed).
 */
export function parseAgentPolicy(raw: string): AgentPolicy {
  const text = raw.trim();
  const entries: [string, string[]][] = [];
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    if (!json || typeof json !== 'object' || Array.isArray(json))
      throw new Error('must be a JSON object {"role": ["agent"]}');
    for (const [key, value] of Object.entries(json)) {
      if (value === '*') entries.push([key, ['*']]);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        entries.push([key, value]);
      else throw new Error(`the agents of "${key}" must be "*" or an array of agent names`);
    }
  } else {
    for (const item of text
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new Error(`"${item}" must be role=agent|agent`);
      const agents = item
        .slice(eq + 1)
        .split('|')
        .map((s) => s.trim())
        .filter(Boolean);
      entries.push([item.slice(0, eq).trim(), agents]);
    }
  }
  const policy = new Map<string, ReadonlySet<string> | '*'>();
  for (const [key, agents] of entries) {
    if (!KEY.test(key)) throw new Error(`"${key}" is not a role, user:<id> or *`);
    if (policy.has(key)) throw new Error(`"${key}" is listed twice`);
    const bad = agents.find((a) => !AGENT.test(a));
    if (bad !== undefined) throw new Error(`"${bad}" (for "${key}") is not an agent name or *`);
    policy.set(key, agents.includes('*') ? '*' : new Set(agents));
  }
  return policy;
}

/**
 * Whether `actor` may delegate to `agent`: admins always; else the user's own entry, else the role's,
 * else the `*` entry; nothing listed means no agents.
 */
export function mayUseAgent(policy: AgentPolicy, actor: Actor, agent: string): boolean {
  if (isAdmin(actor)) return true;
  const allowed = policy.get(`user:${actor.userId}`) ?? policy.get(actor.role) ?? policy.get('*');
  if (allowed === undefined) return false;
  return allowed === '*' || allowed.has(agent);
}
