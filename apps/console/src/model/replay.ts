import type { Tasks } from '@switchboard/contracts';
import { differenceWords } from './difference';

/** A replay or fork as a task names its origin (`run` of its started event and of GET /tasks/{id}). */
export type RunOrigin = Tasks.RunOrigin;

export const shortId = (taskId: string): string => taskId.slice(0, 8);

/** Where a fork went live, in words: "step 2", "planning round 1". */
export function forkPointWords(from: Tasks.ForkPoint): string {
  return 'step' in from ? `step ${from.step}` : `planning round ${from.round}`;
}

/** A run's origin in parts, to link the task: "Fork of" · task · "from step 2". */
export function originParts(run: RunOrigin): { lead: string; tail: string } {
  if (run.kind === 'replay') return { lead: 'Replay of', tail: '' };
  return { lead: 'Fork of', tail: run.from ? ` from ${forkPointWords(run.from)}` : '' };
}

/** "Replay of task 1a2b3c4d", "Fork of task 1a2b3c4d from step 2". */
export function originWords(run: RunOrigin): string {
  const { lead, tail } = originParts(run);
  return `${lead} task ${shortId(run.of)}${tail}`;
}

/** Where a divergence is, in words: "step 1", "planning round 2", "the input check", "the outcome". */
export function divergenceWhere(d: Pick<Tasks.Divergence, 'at' | 'round' | 'step'>): string {
  switch (d.at) {
    case 'input':
      return 'the input check';
    case 'recall':
      return 'what memory recalled';
    case 'round':
      return d.round !== undefined ? `planning round ${d.round}` : 'a planning round';
    case 'step':
      return d.step !== undefined ? `step ${d.step}` : 'a step';
    case 'outcome':
      return 'the outcome';
  }
}

export interface VerdictWords {
  identical: boolean;
  /** The badge: "identical" or "diverged at step 1". */
  badge: string;
  /** One sentence for the page. */
  text: string;
  /** The platform's own summary of the divergence (`divergence.summary`). */
  summary?: string;
}

/** A replay's verdict for the page: identical to its record, or where it first did something else. */
export function verdictWords(v: Tasks.ReplayVerdict): VerdictWords {
  const counted = `${v.rounds} planning round${v.rounds === 1 ? '' : 's'}, ${v.steps} step${v.steps === 1 ? '' : 's'}`;
  if (v.identical || !v.divergence)
    return {
      identical: true,
      badge: 'identical',
      text: `The same decisions, steps and outcome as task ${shortId(v.of)} (${counted}; times and ids are not compared).`,
    };
  const d = v.divergence;
  const where = divergenceWhere(d);
  const what = differenceWords(d.at, d.expected, d.got, { a: 'the record', b: 'the replay' });
  return {
    identical: false,
    badge: `diverged at ${where}`,
    text: `It first differs from task ${shortId(v.of)} at ${where}${what ? `: ${what}` : ''}.`,
    summary: d.summary,
  };
}

type TaskEvent = Tasks.TaskEvent;

/** The task's text and origin, from its started event (undefined until it has come). */
export function startedOf(
  events: readonly TaskEvent[],
): { task: string; run?: RunOrigin | undefined } | undefined {
  for (const e of events)
    if (e.name === 'orchestrator.task.started')
      return { task: e.data.task, ...(e.data.run ? { run: e.data.run } : {}) };
  return undefined;
}

/** A replay's verdict, once its events have it (just before the terminal event). */
export function verdictOf(events: readonly TaskEvent[]): Tasks.ReplayVerdict | undefined {
  for (const e of events) if (e.name === 'orchestrator.replay.verdict') return e.data;
  return undefined;
}
