import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import type { TaskAccess } from '../task-access.js';
import type { QueuedRunStore } from './queued-run.store.js';
import { RerunTaskUseCase } from './rerun-task.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user' };
const PARENT = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const NEW = '11111111-2222-4333-8444-555555555555';

const view = (over: Partial<Tasks.TaskView> = {}): Tasks.TaskView => ({
  taskId: PARENT,
  userId: 'ann',
  status: 'completed',
  task: 'what is 17 * 23, then save the result as a note',
  steps: [
    {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      status: 'completed',
      input: {},
      startedAt: new Date().toISOString(),
    },
    {
      stepId: 's2',
      index: 1,
      kind: 'tool',
      target: 'notes.add',
      status: 'completed',
      input: {},
      startedAt: new Date().toISOString(),
    },
  ],
  planning: [{ iteration: 1, planner: 'builtin', decision: 'actions', actions: 2 }],
  lastEventSeq: 9,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  ...over,
});

function setup(parent: Tasks.TaskView | undefined | Error) {
  const submitted: unknown[][] = [];
  /** What happened, in order: each submission, then each run stored queued. */
  const order: string[] = [];
  const stored: Parameters<QueuedRunStore['store']>[] = [];
  const access = {
    view: async () => {
      if (parent instanceof Error) throw parent;
      return parent;
    },
  } as unknown as TaskAccess;
  const submit = {
    newTaskId: () => NEW,
    execute: async (...args: unknown[]) => {
      submitted.push(args);
      order.push('submitted');
    },
  } as unknown as SubmitTaskUseCase;
  const queued = {
    store: async (...args: Parameters<QueuedRunStore['store']>) => {
      stored.push(args);
      order.push('stored');
    },
  } as unknown as QueuedRunStore;
  return { sut: new RerunTaskUseCase(access, submit, queued), submitted, stored, order };
}

describe(RerunTaskUseCase.name, () => {
  it('submits a replay of an ended task as a new task of the caller, with its links', async () => {
    const { sut, submitted } = setup(view());
    const accepted = await sut.replay(PARENT, ann, 'req-1');
    expect(accepted).toMatchObject({
      task_id: NEW,
      status: 'queued',
      run: { kind: 'replay', of: PARENT },
      links: { events: `/tasks/${NEW}/events`, diff: `/tasks/${PARENT}/diff/${NEW}` },
    });
    const submittedAt = (submitted[0]?.[4] as { submittedAt: string }).submittedAt;
    expect(submitted).toEqual([
      [
        NEW,
        ann,
        { task: view().task },
        'req-1',
        { run: { kind: 'replay', of: PARENT }, submittedAt },
      ],
    ]);
  });

  it('stores the run queued with its origin once it is submitted, before it answers', async () => {
    const { sut, submitted, stored, order } = setup(view());
    const body = Tasks.ForkRequestBody.parse({ from_step: 2, task: 'what is 17 * 24' });
    await sut.fork(PARENT, body, ann, 'req-2');
    // after the submission: a row is never stored for a run that was not submitted
    expect(order).toEqual(['submitted', 'stored']);
    const { submittedAt } = submitted[0]?.[4] as { submittedAt: string };
    expect(stored).toEqual([
      [
        {
          taskId: NEW,
          actor: ann,
          request: { task: 'what is 17 * 24' },
          submittedAt,
          correlationId: 'req-2',
          run: { kind: 'fork', of: PARENT, from: { step: 2 } },
        },
        ann,
      ],
    ]);
  });

  it('refuses a task that has not ended (its record is not complete), and passes on NOT_FOUND', async () => {
    await expect(
      setup(view({ status: 'running' })).sut.replay(PARENT, ann, 'r'),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(setup(undefined).sut.replay(PARENT, ann, 'r')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const missing = new DomainError('NOT_FOUND', `task ${PARENT} not found`);
    await expect(setup(missing).sut.replay(PARENT, ann, 'r')).rejects.toBe(missing);
  });

  it('forks from a step with an edited result: the edits travel with the run, the rest in the request', async () => {
    const { sut, submitted } = setup(view());
    const body = Tasks.ForkRequestBody.parse({
      from_step: 2,
      step_output: { step: 1, output: { result: 400 } },
      max_steps: 5,
    });
    const accepted = await sut.fork(PARENT, body, ann, 'r');
    expect(accepted.run).toEqual({ kind: 'fork', of: PARENT, from: { step: 2 } });
    expect(submitted[0]?.[2]).toEqual({ task: view().task, max_steps: 5 });
    expect((submitted[0]?.[4] as { run?: unknown })?.run).toEqual({
      kind: 'fork',
      of: PARENT,
      from: { step: 2 },
      edits: { stepOutput: { step: 1, output: { result: 400 } } },
    });
  });

  it('forks with memory as it was: the choice travels with the run as an edit', async () => {
    const { sut, submitted } = setup(view());
    const body = Tasks.ForkRequestBody.parse({ from_round: 1, memory: 'recorded' });
    await sut.fork(PARENT, body, ann, 'r');
    expect((submitted[0]?.[4] as { run?: unknown })?.run).toEqual({
      kind: 'fork',
      of: PARENT,
      from: { round: 1 },
      edits: { memory: 'recorded' },
    });
    expect(Tasks.ForkRequestBody.safeParse({ from_round: 1, memory: 'then' }).success).toBe(false);
  });

  it('forks onto an agent version: the version travels in the request, where the orchestrator stamps it', async () => {
    const { sut, submitted } = setup(view());
    const agent = { name: 'support', version: 2 };
    await sut.fork(PARENT, Tasks.ForkRequestBody.parse({ from_round: 1, agent }), ann, 'r');
    expect(submitted[0]?.[2]).toEqual({ task: view().task, agent });
    const both = Tasks.ForkRequestBody.safeParse({
      from_round: 1,
      agent: { name: 'support', version: 2, label: 'staging' },
    });
    expect(both.error?.issues[0]?.path).toEqual(['agent', 'label']);
  });

  it('refuses a fork point past the record, naming the field', async () => {
    const { sut } = setup(view());
    await expect(
      sut.fork(PARENT, Tasks.ForkRequestBody.parse({ from_step: 3 }), ann, 'r'),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('from_step: the task has 2 step(s)'),
    });
    await expect(
      sut.fork(PARENT, Tasks.ForkRequestBody.parse({ from_round: 2 }), ann, 'r'),
    ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('from_round') });
  });

  it('refuses an edited output of a step that runs live in a fork from a planning round', async () => {
    const twoRounds = view({
      planning: [
        { iteration: 1, planner: 'builtin', decision: 'actions', actions: 1 },
        { iteration: 2, planner: 'builtin', decision: 'actions', actions: 1 },
        { iteration: 3, planner: 'builtin', decision: 'final', actions: 0 },
      ],
    });
    const edit = (from_round: number, step: number) =>
      Tasks.ForkRequestBody.parse({ from_round, step_output: { step, output: { result: 1 } } });
    await expect(setup(twoRounds).sut.fork(PARENT, edit(1, 1), ann, 'r')).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('step_output.step: step 1 runs live'),
    });
    await expect(setup(twoRounds).sut.fork(PARENT, edit(2, 2), ann, 'r')).rejects.toMatchObject({
      code: 'VALIDATION',
      details: { issues: [{ path: 'step_output.step' }] },
    });
    const { sut, submitted } = setup(twoRounds);
    await sut.fork(PARENT, edit(2, 1), ann, 'r');
    expect((submitted[0]?.[4] as { run?: unknown })?.run).toMatchObject({
      from: { round: 2 },
      edits: { stepOutput: { step: 1 } },
    });
  });

  it('the fork body names what is wrong with it', () => {
    const issues = (b: unknown) =>
      Tasks.ForkRequestBody.safeParse(b).error?.issues.map(
        (i) => `${i.path.join('.')}: ${i.message}`,
      );
    expect(issues({})).toEqual(['from_step: give exactly one of from_step and from_round']);
    expect(issues({ from_step: 2, step_output: { step: 2, output: 1 } })).toEqual([
      'step_output.step: must be a step before from_step (2): later steps run live',
    ]);
    expect(issues({ from_step: 1, plan: [] })?.join()).toMatch(/plan/);
    expect(issues({ from_round: 1, planner: 'builtin', model: 'gpt' })).toEqual([
      'model: the built-in planner has no model',
    ]);
    expect(issues({ from_round: 1, colour: 'red' })?.join()).toMatch(/colour/);
  });
});
