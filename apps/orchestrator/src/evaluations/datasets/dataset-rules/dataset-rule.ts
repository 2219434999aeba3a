import { createHash } from 'node:crypto';
import type { Evaluations } from '@switchboard/contracts';

/** What a rule looks at of an ended task. */
export interface EndedFacts {
  taskId: string;
  status: 'completed' | 'failed' | 'cancelled';
  userId: string;
  /** The tools its steps called, by name. */
  tools: readonly string[];
  /** Its version stamp's agent and label, when it ran one. */
  agent?: string | undefined;
  label?: string | undefined;
  version?: number | undefined;
  endedAt: Date;
}

/** Whether the task passes the rule's filter (every condition given must hold). */
export function ruleMatches(rule: Evaluations.DatasetRule, t: EndedFacts): boolean {
  const f = rule.filter;
  if (f.tool !== undefined && !t.tools.includes(f.tool)) return false;
  if (f.outcome && !f.outcome.includes(t.status)) return false;
  if (f.agent !== undefined && t.agent !== f.agent) return false;
  if (f.label !== undefined && t.label !== f.label) return false;
  if (f.userId !== undefined && t.userId !== f.userId) return false;
  if (f.from !== undefined && t.endedAt < new Date(f.from)) return false;
  if (f.to !== undefined && t.endedAt > new Date(f.to)) return false;
  return true;
}

/**
 * Whether the task falls in the rule's sample: decided by a hash of the dataset and the task, not
 * by chance, so the same task gets the same answer on every replica and every retry.
 */
export function sampled(datasetId: string, taskId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = createHash('sha256').update(`${datasetId}:${taskId}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < rate;
}
