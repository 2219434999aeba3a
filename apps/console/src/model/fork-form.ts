import type { ForkRequest } from '@switchboard/client';
import type { Tasks } from '@switchboard/contracts';
import { canonicalJson } from './difference';
import type { Card } from './timeline.model';

type PlanAction = Tasks.PlanAction;
type StepCard = Extract<Card, { kind: 'tool' | 'delegation' }>;
type PlanningCard = Extract<Card, { kind: 'planning' }>;

/** The body of `POST /tasks/{id}/fork`, as the console sends it. */
export type ForkBody = ForkRequest;

/** The timeline card "Fork from here" was pressed on: a step, or a planning round. */
export type ForkAt =
  | {
      kind: 'step';
      /** The step's number as the timeline shows it (from 1). */
      step: number;
      /** Its recorded result (a failed step may have none). */
      output?: unknown;
      /**
       * Where the fork goes live when it keeps this step with an edited result: the next step if the
       * same round planned it, else the next planning round (planned anew with the result); none when
       * nothing happened after this step.
       */
      after?: Tasks.ForkPoint;
    }
  | { kind: 'round'; round: number; plan: PlanAction[] };

/**
 * `live`: the card itself runs again, for real (a step is called again, a round planned anew).
 * `edit`: the card's result (a step) or plan (a round) is the one typed in the editor.
 */
export type ForkChoice = 'live' | 'edit';

export interface ForkForm {
  task: string;
  choice: ForkChoice;
  /** The step's result, or the round's plan, as JSON text. */
  json: string;
  /** Plan with what the task recalled from long-term memory (as it was), not with memory as it is. */
  memoryAsItWas?: boolean;
}

export type ForkField = 'task' | 'json';

export type ForkCheck =
  { ok: true; body: ForkBody; words: string } | { ok: false; field: ForkField; problem: string };

const TASK_TEXT_MAX = 8_000;
const PLAN_DESCRIPTION_MAX = 500;

/** Where a fork from `card` may go live, read off the task's timeline; undefined for other cards. */
export function forkAtOf(card: Card, cards: readonly Card[]): ForkAt | undefined {
  if (card.kind === 'planning') return { kind: 'round', round: card.iteration, plan: card.plan };
  if (card.kind !== 'tool' && card.kind !== 'delegation') return undefined;
  const rounds = cards.filter((c): c is PlanningCard => c.kind === 'planning');
  const round = roundOf(card, rounds);
  const next = cards.find(
    (c): c is StepCard =>
      (c.kind === 'tool' || c.kind === 'delegation') && c.index === card.index + 1,
  );
  let after: Tasks.ForkPoint | undefined;
  if (next && (round === undefined || roundOf(next, rounds) === round))
    after = { step: next.index + 1 };
  else if (round !== undefined && rounds.some((r) => r.iteration === round + 1))
    after = { round: round + 1 };
  return {
    kind: 'step',
    step: card.index + 1,
    ...(card.output !== undefined ? { output: card.output } : {}),
    ...(after ? { after } : {}),
  };
}

/** The planning round that planned a step: the one whose plan has its id, else the last one before it. */
function roundOf(step: StepCard, rounds: readonly PlanningCard[]): number | undefined {
  const planned = rounds.find((r) => r.plan.some((a) => a.id === step.stepId));
  if (planned) return planned.iteration;
  return rounds.filter((r) => r.seq < step.seq).at(-1)?.iteration;
}

/** The editor as it opens: the task's text, and the card's recorded result or plan to edit. */
export function initialForkForm(at: ForkAt, task: string): ForkForm {
  if (at.kind === 'round') return { task, choice: 'edit', json: JSON.stringify(at.plan, null, 2) };
  return {
    task,
    choice: at.after ? 'edit' : 'live',
    json: at.output === undefined ? '' : JSON.stringify(at.output, null, 2),
  };
}

/** The two ways to fork from the card, as the editor offers them; `edit` names why it cannot be. */
export function forkChoices(at: ForkAt): { live: string; edit: string; editUnavailable?: string } {
  if (at.kind === 'round')
    return {
      live: `Plan round ${at.round} again, live`,
      edit: `Run round ${at.round} with this plan (JSON array of actions)`,
    };
  return {
    live: `Run step ${at.step} again, live`,
    edit: `Keep step ${at.step} with this result (JSON), live after it`,
    ...(at.after
      ? {}
      : { editUnavailable: `nothing happened after step ${at.step}: run it again instead` }),
  };
}

/**
 * The fork's request body for what the editor holds, and in words what the fork will do — or the
 * first problem, naming the field, before anything is sent. The task text goes only when edited; a
 * step's result only when it differs from the recorded one.
 */
export function forkBody(at: ForkAt, originalTask: string, form: ForkForm): ForkCheck {
  const task = form.task.trim();
  if (!task) return { ok: false, field: 'task', problem: 'The task text is empty.' };
  if (task.length > TASK_TEXT_MAX)
    return {
      ok: false,
      field: 'task',
      problem: `The task text is over ${TASK_TEXT_MAX.toLocaleString('en-US')} characters.`,
    };
  const edited = task !== originalTask.trim();
  const checked = at.kind === 'step' ? stepFork(at, form) : roundFork(at, form);
  if (!checked.ok) return checked;
  const recorded = form.memoryAsItWas === true;
  return {
    ok: true,
    body: {
      ...checked.body,
      ...(edited ? { task } : {}),
      ...(recorded ? { memory: 'recorded' } : {}),
    },
    words: `${checked.words}${edited ? ' It runs with the edited task text.' : ''}${recorded ? ' It plans with what the task recalled from memory, as it was.' : ''}`,
  };
}

function stepFork(at: Extract<ForkAt, { kind: 'step' }>, form: ForkForm): ForkCheck {
  const live = `Step ${at.step} and what follows run live: tools are called and agents asked for real.`;
  const before =
    at.step > 1 ? `${upTo(at.step - 1)} taken from the record (nothing is called again). ` : '';
  if (form.choice === 'live')
    return { ok: true, body: { from_step: at.step }, words: `${before}${live}` };
  if (!at.after)
    return {
      ok: false,
      field: 'json',
      problem: `Nothing happened after step ${at.step}, so there is nothing to run with another result: run the step again instead.`,
    };
  const parsed = parseJson(form.json, 'The result');
  if (!parsed.ok) return parsed;
  const changed =
    at.output === undefined || canonicalJson(parsed.value) !== canonicalJson(at.output);
  const from = 'step' in at.after ? { from_step: at.after.step } : { from_round: at.after.round };
  const then =
    'step' in at.after
      ? `live from step ${at.after.step}`
      : `live from planning round ${at.after.round}, planned anew with it`;
  return {
    ok: true,
    body: { ...from, ...(changed ? { step_output: { step: at.step, output: parsed.value } } : {}) },
    words: `${upTo(at.step)} taken from the record${changed ? `, ${at.step === 1 ? '' : `step ${at.step} `}with the result above` : ''}; ${then}.`,
  };
}

/** "Step 1 is", "Steps 1–3 are". */
const upTo = (n: number): string => (n === 1 ? 'Step 1 is' : `Steps 1–${n} are`);

function roundFork(at: Extract<ForkAt, { kind: 'round' }>, form: ForkForm): ForkCheck {
  const before =
    at.round > 1
      ? `Planning rounds 1–${at.round - 1} and their steps are taken from the record. `
      : '';
  if (form.choice === 'live')
    return {
      ok: true,
      body: { from_round: at.round },
      words: `${before}Round ${at.round} is planned anew, live, and what follows runs live.`,
    };
  const parsed = parseJson(form.json, 'The plan');
  if (!parsed.ok) return parsed;
  const plan = planProblem(parsed.value);
  if (typeof plan === 'string') return { ok: false, field: 'json', problem: plan };
  return {
    ok: true,
    body: { from_round: at.round, plan },
    words: `${before}Round ${at.round} runs the plan above (${plan.length} action${plan.length === 1 ? '' : 's'}), live, and what follows runs live.`,
  };
}

function parseJson(
  text: string,
  what: string,
): { ok: true; value: unknown } | { ok: false; field: 'json'; problem: string } {
  if (!text.trim())
    return { ok: false, field: 'json', problem: `${what} is empty: give it as JSON.` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, field: 'json', problem: `${what} is not JSON: ${(e as Error).message}` };
  }
}

/** The plan's actions when they are what PlanAction asks for, else the first problem, by action. */
export function planProblem(value: unknown): PlanAction[] | string {
  if (!Array.isArray(value)) return 'The plan must be a JSON array of actions ([{ … }]).';
  if (value.length === 0) return 'The plan needs at least one action.';
  if (value.length > 100) return 'The plan has more than 100 actions.';
  const ids = new Set<string>();
  for (const [i, a] of value.entries()) {
    const problem = actionProblem(a);
    if (problem) return `Action ${i + 1}: ${problem}`;
    const id = (a as PlanAction).id;
    if (ids.has(id)) return `Action ${i + 1}: the id "${id}" is used twice.`;
    ids.add(id);
  }
  return value as PlanAction[];
}

function actionProblem(a: unknown): string | undefined {
  if (!isObject(a)) return 'must be an object { id, kind, target, input, description }.';
  if (typeof a['id'] !== 'string' || !a['id'] || a['id'].length > 64)
    return '"id" must be a text of 1 to 64 characters.';
  if (a['kind'] !== 'tool' && a['kind'] !== 'agent') return '"kind" must be "tool" or "agent".';
  if (typeof a['target'] !== 'string' || !a['target'] || a['target'].length > 128)
    return '"target" must name the tool or agent (1 to 128 characters).';
  if (!isObject(a['input'])) return '"input" must be a JSON object ({ … }).';
  if (typeof a['description'] !== 'string' || a['description'].length > PLAN_DESCRIPTION_MAX)
    return `"description" must be a text of at most ${PLAN_DESCRIPTION_MAX} characters.`;
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
