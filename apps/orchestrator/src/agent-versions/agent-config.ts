import type { Agents, Tools } from '@switchboard/contracts';
import { createHash } from 'node:crypto';

/** sha256 (hex) of a text, as a version stamp carries its hashes. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Whether a tool name matches one of an agent's tool patterns (`*` is any run of characters). */
export function toolAllowed(name: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return true;
  return patterns.some((p) => patternRegExp(p).test(name));
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * The hash of the tool schemas a task is offered: what the planner sees of each tool (its name,
 * description and input schema), sorted by name, as canonical JSON — the same tools hash the same
 * whatever order the manifest lists them in.
 */
export function toolSchemasSha256(tools: readonly Tools.ManifestTool[]): string {
  const offered = [...tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
  return sha256(canonicalJson(offered));
}

/** JSON with every object's keys sorted: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * What changed from one configuration to another: one entry per leaf that differs, by dotted path.
 * Lists are compared whole (a tool list is one field: its order and members together).
 */
export function configChanges(
  from: Agents.AgentConfig,
  to: Agents.AgentConfig,
): Agents.AgentConfigChange[] {
  const changes: Agents.AgentConfigChange[] = [];
  walk(from, to, '', changes);
  return changes;
}

function walk(a: unknown, b: unknown, path: string, out: Agents.AgentConfigChange[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (canonicalJson(a) === canonicalJson(b)) return;
  out.push({
    path,
    ...(a !== undefined ? { from: a } : {}),
    ...(b !== undefined ? { to: b } : {}),
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
