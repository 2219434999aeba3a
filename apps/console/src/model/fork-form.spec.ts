import { describe, expect, it } from '@jest/globals';
import type { TaskEvent } from './event-log';
import {
  type ForkAt,
  forkAtOf,
  forkBody,
  forkChoices,
  initialForkForm,
  planProblem,
} from './fork-form';
import { buildTimeline, type Card } from './timeline.model';

const TASK = 'what is 17 * 23, then save the result as a note';
let seq = 0;
const ev = (name: string, data: Record<string, unknown>): TaskEvent =>
  ({
    taskId: 't',
    seq: ++seq,
    at: '2026-11-25T10:00:00.000Z',
    source: 'orchestrator',
    name,
    data,
  }) as TaskEvent;
const action = (id: string, target: string, input: Record<string, unknown>) => ({
  id,
  kind: 'tool',
  target,
  input,
  description: `call ${target}`,
});
const step = (id: string, index: number, target: string, output: unknown): TaskEvent[] => [
  ev('orchestrator.step.dispatching', { stepId: id, index, kind: 'tool', target, input: {} }),
  ev('orchestrator.step.completed', {
    stepId: id,
    index,
    kind: 'tool',
    target,
    output,
    durationMs: 1,
  }),
];
const round = (iteration: number, plan: unknown[]): TaskEvent[] => [
  ev('orchestrator.planning.started', { planner: 'builtin', iteration }),
  ev('orchestrator.planning.completed', {
    planner: 'builtin',
    iteration,
    plan,
    decision: plan.length ? 'actions' : 'final',
  }),
];

/** The demo task as the built-in planner runs it: round 1 plans both steps, round 2 answers. */
function demo(): Card[] {
  seq = 0;
  return buildTimeline([
    ev('orchestrator.task.started', { task: TASK, userId: 'ann', planner: 'builtin' }),
    ...round(1, [
      action('s1', 'calculator', { expression: '17 * 23' }),
      action('s2', 'notes.add', { content: '{{s1}}' }),
    ]),
    ...step('s1', 0, 'calculator', { expression: '17 * 23', result: 391 }),
    ...step('s2', 1, 'notes.add', { id: 'n1' }),
    ...round(2, []),
    // a third round planned one more step, which ended the task
    ...round(3, [action('s3', 'notes.list', {})]),
    ...step('s3', 2, 'notes.list', []),
    ev('orchestrator.task.completed', {
      result: '391',
      planner: 'builtin',
      steps: 3,
      durationMs: 9,
    }),
  ]);
}

const cardOf = (cards: Card[], kind: string, n: number): Card => {
  const found = cards.find((c) =>
    kind === 'round'
      ? c.kind === 'planning' && c.iteration === n
      : c.kind === 'tool' && c.index === n - 1,
  );
  if (!found) throw new Error(`no ${kind} ${n}`);
  return found;
};

describe(forkAtOf.name, () => {
  it('keeps a step with an edited result and goes live at the next step its round planned', () => {
    const cards = demo();
    expect(forkAtOf(cardOf(cards, 'step', 1), cards)).toEqual({
      kind: 'step',
      step: 1,
      output: { expression: '17 * 23', result: 391 },
      after: { step: 2 },
    });
  });

  it("goes live at the next planning round after a round's last step, and nowhere after the last", () => {
    const cards = demo();
    expect(forkAtOf(cardOf(cards, 'step', 2), cards)).toMatchObject({
      step: 2,
      after: { round: 2 },
    });
    const last = forkAtOf(cardOf(cards, 'step', 3), cards);
    expect(last).toMatchObject({ kind: 'step', step: 3 });
    expect(last && 'after' in last).toBe(false);
  });

  it('offers a planning round with its plan, and nothing on other cards', () => {
    const cards = demo();
    expect(forkAtOf(cardOf(cards, 'round', 1), cards)).toMatchObject({
      kind: 'round',
      round: 1,
      plan: [
        { id: 's1', target: 'calculator' },
        { id: 's2', target: 'notes.add' },
      ],
    });
    expect(forkAtOf(cards.find((c) => c.kind === 'started') as Card, cards)).toBeUndefined();
    expect(forkAtOf(cards.find((c) => c.kind === 'answer') as Card, cards)).toBeUndefined();
  });
});

describe(forkBody.name, () => {
  const at = (cards: Card[], kind: string, n: number) =>
    forkAtOf(cardOf(cards, kind, n), cards) as ForkAt;

  it('forks from step 2 with the edited calculator result (the e2e flow)', () => {
    const calc = at(demo(), 'step', 1);
    const form = initialForkForm(calc, TASK);
    expect(form.choice).toBe('edit');
    expect(JSON.parse(form.json)).toEqual({ expression: '17 * 23', result: 391 });
    const check = forkBody(calc, TASK, {
      ...form,
      json: '{"expression": "17 * 23", "result": 400}',
    });
    expect(check).toEqual({
      ok: true,
      body: {
        from_step: 2,
        step_output: { step: 1, output: { expression: '17 * 23', result: 400 } },
      },
      words: 'Step 1 is taken from the record, with the result above; live from step 2.',
    });
  });

  it('asks for memory as it was when the box is ticked, and says so', () => {
    const calc = at(demo(), 'step', 1);
    const check = forkBody(calc, TASK, {
      task: TASK,
      choice: 'live',
      json: '',
      memoryAsItWas: true,
    });
    expect(check).toMatchObject({
      ok: true,
      body: { from_step: 1, memory: 'recorded' },
      words: expect.stringMatching(/what the task recalled from memory, as it was\.$/),
    });
  });

  it("sends no step_output for a result left as recorded, and a round's fork point after a round's last step", () => {
    const cards = demo();
    const calc = at(cards, 'step', 1);
    expect(forkBody(calc, TASK, initialForkForm(calc, TASK))).toMatchObject({
      ok: true,
      body: { from_step: 2 },
    });
    const note = at(cards, 'step', 2);
    expect(
      forkBody(note, TASK, { ...initialForkForm(note, TASK), json: '{"id":"n9"}' }),
    ).toMatchObject({
      ok: true,
      body: { from_round: 2, step_output: { step: 2, output: { id: 'n9' } } },
      words: expect.stringContaining('live from planning round 2, planned anew with it'),
    });
  });

  it('runs a step again live, the steps before it taken from the record', () => {
    const note = at(demo(), 'step', 2);
    expect(forkBody(note, TASK, { task: TASK, choice: 'live', json: '' })).toEqual({
      ok: true,
      body: { from_step: 2 },
      words:
        'Step 1 is taken from the record (nothing is called again). Step 2 and what follows run live: tools are called and agents asked for real.',
    });
  });

  it('names the problem before sending: not JSON, empty, nothing after the last step, the task text', () => {
    const cards = demo();
    const calc = at(cards, 'step', 1);
    const form = initialForkForm(calc, TASK);
    expect(forkBody(calc, TASK, { ...form, json: '{"result": ' })).toMatchObject({
      ok: false,
      field: 'json',
      problem: expect.stringMatching(/^The result is not JSON: /),
    });
    expect(forkBody(calc, TASK, { ...form, json: '  ' })).toEqual({
      ok: false,
      field: 'json',
      problem: 'The result is empty: give it as JSON.',
    });
    const last = at(cards, 'step', 3);
    expect(initialForkForm(last, TASK).choice).toBe('live');
    expect(forkChoices(last).editUnavailable).toBe(
      'nothing happened after step 3: run it again instead',
    );
    expect(forkBody(last, TASK, { task: TASK, choice: 'edit', json: '[]' })).toMatchObject({
      ok: false,
      field: 'json',
    });
    expect(forkBody(calc, TASK, { ...form, task: '   ' })).toEqual({
      ok: false,
      field: 'task',
      problem: 'The task text is empty.',
    });
    expect(forkBody(calc, TASK, { ...form, task: 'x'.repeat(8_001) })).toMatchObject({
      ok: false,
      field: 'task',
    });
  });

  it('sends an edited task text (trimmed), and not one left as it was', () => {
    const calc = at(demo(), 'step', 1);
    const form = { ...initialForkForm(calc, TASK), choice: 'live' as const };
    expect(forkBody(calc, TASK, { ...form, task: ` ${TASK} ` })).toMatchObject({
      body: { from_step: 1 },
    });
    const edited = forkBody(calc, TASK, { ...form, task: ' what is 2 * 2 ' });
    expect(edited).toMatchObject({ ok: true, body: { from_step: 1, task: 'what is 2 * 2' } });
    expect(edited.ok && edited.words).toMatch(/It runs with the edited task text\.$/);
  });

  it("replaces a round's plan, or plans the round again live", () => {
    const r1 = at(demo(), 'round', 1);
    const form = initialForkForm(r1, TASK);
    expect(form.choice).toBe('edit');
    const plan = [action('x1', 'calculator', { expression: '2 * 2' })];
    expect(forkBody(r1, TASK, { ...form, json: JSON.stringify(plan) })).toEqual({
      ok: true,
      body: { from_round: 1, plan },
      words: 'Round 1 runs the plan above (1 action), live, and what follows runs live.',
    });
    expect(forkBody(r1, TASK, { ...form, choice: 'live' })).toMatchObject({
      ok: true,
      body: { from_round: 1 },
    });
    const r2 = at(demo(), 'round', 2);
    expect(JSON.parse(initialForkForm(r2, TASK).json)).toEqual([]);
    expect(forkBody(r2, TASK, initialForkForm(r2, TASK))).toEqual({
      ok: false,
      field: 'json',
      problem: 'The plan needs at least one action.',
    });
  });
});

describe(planProblem.name, () => {
  it('names the first action that is not a PlanAction, and why', () => {
    const ok = action('a', 'calculator', {});
    expect(planProblem({})).toBe('The plan must be a JSON array of actions ([{ … }]).');
    expect(planProblem([ok, 'x'])).toBe(
      'Action 2: must be an object { id, kind, target, input, description }.',
    );
    expect(planProblem([{ ...ok, id: '' }])).toBe(
      'Action 1: "id" must be a text of 1 to 64 characters.',
    );
    expect(planProblem([{ ...ok, kind: 'mcp' }])).toBe(
      'Action 1: "kind" must be "tool" or "agent".',
    );
    expect(planProblem([{ ...ok, target: '' }])).toMatch(/^Action 1: "target" must name/);
    expect(planProblem([{ ...ok, input: [] }])).toBe(
      'Action 1: "input" must be a JSON object ({ … }).',
    );
    expect(planProblem([{ ...ok, description: 5 }])).toMatch(/^Action 1: "description"/);
    expect(planProblem([ok, ok])).toBe('Action 2: the id "a" is used twice.');
    expect(planProblem(Array.from({ length: 101 }, (_, i) => ({ ...ok, id: `a${i}` })))).toBe(
      'The plan has more than 100 actions.',
    );
    expect(planProblem([ok])).toEqual([ok]);
  });
});
