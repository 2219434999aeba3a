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

/** The label form as typed: a label, a version, and (for a canary) its share in percent. */
export interface LabelForm {
  label: string;
  version: string;
  weight: string;
}

const LABEL = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** A label and the version to point it at, or what to fix. */
export function labelMove(
  f: LabelForm,
): { ok: true; label: string; version: number } | { ok: false; error: string } {
  const label = f.label.trim();
  if (!LABEL.test(label)) return { ok: false, error: 'Label: lower-case letters, digits, . _ -' };
  const version = Number(f.version);
  if (!Number.isInteger(version) || version < 1) return { ok: false, error: 'Version: choose one' };
  return { ok: true, label, version };
}

/** A canary of a label (another version and its share, 1-99%), or what to fix. */
export function canaryOf(
  f: LabelForm,
  current: AgentLabelView | undefined,
):
  | { ok: true; label: string; canary: { version: number; weight: number } }
  | { ok: false; error: string } {
  const moved = labelMove(f);
  if (!moved.ok) return moved;
  if (!current) return { ok: false, error: `Label: ${moved.label} points at no version yet` };
  if (current.version === moved.version)
    return { ok: false, error: `Version: the label already points at v${moved.version}` };
  const weight = Number(f.weight);
  if (!Number.isInteger(weight) || weight < 1 || weight > 99)
    return { ok: false, error: 'Weight: a whole percentage from 1 to 99' };
  return { ok: true, label: moved.label, canary: { version: moved.version, weight } };
}
