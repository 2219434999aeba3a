import type { Agents } from '@switchboard/contracts';

export type AgentView = Agents.AgentView;
export type AgentVersionView = Agents.AgentVersionView;
export type AgentLabelView = Agents.AgentLabelView;
export type AgentConfigChange = Agents.AgentConfigChange;

/**
 * Where a label sends its tasks, in words: its version, and with a canary each version's share
 * (`production → v1 90% · v2 10%`).
 */
export function splitWords(l: AgentLabelView): string {
  if (!l.canary) return `${l.label} → v${l.version}`;
  const { version, weight } = l.canary;
  return `${l.label} → v${l.version} ${100 - weight}% · v${version} ${weight}% (canary, sticky per thread)`;
}

/** The labels pointing at a version (canaries included), for its row in the versions table. */
export function labelsOf(agent: AgentView, version: number): string[] {
  return agent.labels.flatMap((l) => [
    ...(l.version === version ? [l.label] : []),
    ...(l.canary?.version === version ? [`${l.label} (canary ${l.canary.weight}%)`] : []),
  ]);
}

/** A field's value as the diff shows it: absent, or its JSON. */
export function changeValue(v: unknown): string {
  return v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** The tools a version may offer, in words. */
export function toolsWords(config: Agents.AgentConfig): string {
  if (!config.tools) return 'every tool the task may use';
  if (config.tools.length === 0) return 'no tools';
  return config.tools.join(', ');
}
