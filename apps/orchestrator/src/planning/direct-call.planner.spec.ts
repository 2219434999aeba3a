import { DomainError, type Tasks, type Tools } from '@switchboard/contracts';
import { DIRECT_CALL_ACTION_ID, DirectCallPlanner } from './direct-call.planner.js';
import type { ObservedStep, PastRound, PlanDecision, Planner, PlanningState } from './planner.js';

const tool = (name: string): Tools.ManifestTool => ({
  name,
  title: name,
  description: name,
  provider: 'x',
  inputSchema: { type: 'object' },
  idempotent: false,
  approval: {
    approvers: { requester: true, roles: [], users: [] },
    allowSelf: true,
    expiresInMs: 60_000,
    onExpiry: 'reject',
  },
});

const CALL = { tool: 'notes.add', input: { content: 'hello', title: 'greeting' } };

function state(over: Partial<PlanningState> = {}): PlanningState {
  return {
    task: 'call notes.add',
    tools: [tool('notes.add'), tool('calculator')],
    agents: [],
    steps: [],
    iteration: 1,
    signal: new AbortController().signal,
    rounds: [],
    history: [],
    ...over,
  };
}

/** The configured planner, which a direct call must never reach. */
class InnerPlanner implements Planner {
  readonly kind = 'llm' as const;
  readonly model = 'gpt-test';
  asked = 0;
  next(): Promise<PlanDecision> {
    this.asked++;
    return Promise.resolve({ kind: 'final', answer: 'from the inner planner' });
  }
  estimatePromptTokens(): number {
    return 1234;
  }
  asksModel(): boolean {
    return true;
  }
}

function setup() {
  const inner = new InnerPlanner();
  return { inner, sut: new DirectCallPlanner(inner) };
}

const callAction = (input: Record<string, unknown> = CALL.input): Tasks.PlanAction => ({
  id: DIRECT_CALL_ACTION_ID,
  kind: 'tool',
  target: 'notes.add',
  input,
  description: 'call notes.add as asked through the MCP endpoint',
});

/** The first round as it is stored, and handed back to a resumed run. */
async function storedFirstRound(): Promise<PastRound> {
  const { sut } = setup();
  return { iteration: 1, decision: await sut.next(state({ call: CALL })) };
}

describe(DirectCallPlanner.name, () => {
  it('plans round 1 as exactly the asked call, with exactly its input, asking no model', async () => {
    const { sut, inner } = setup();
    const decision = await sut.next(state({ call: CALL }));
    expect(decision).toEqual({
      kind: 'actions',
      actions: [callAction()],
      memo: { directCall: { tool: 'notes.add' } },
    });
    expect(inner.asked).toBe(0);
  });

  it('ends the task with the call output once it ran', async () => {
    const { sut, inner } = setup();
    const output = { id: 'n1', content: 'hello' };
    const steps: ObservedStep[] = [{ action: callAction(), status: 'completed', output }];
    const decision = await sut.next(state({ call: CALL, iteration: 2, steps }));
    expect(decision).toEqual({ kind: 'final', answer: JSON.stringify(output), output });
    expect(inner.asked).toBe(0);
  });

  it('keeps a text output as the answer', async () => {
    const { sut } = setup();
    const steps: ObservedStep[] = [{ action: callAction(), status: 'completed', output: '42' }];
    expect(await sut.next(state({ call: CALL, iteration: 2, steps }))).toMatchObject({
      kind: 'final',
      answer: '42',
      output: '42',
    });
  });

  it("fails the task with the call's error: a rejected approval is a FORBIDDEN step", async () => {
    const { sut } = setup();
    const steps: ObservedStep[] = [
      {
        action: callAction(),
        status: 'failed',
        error: { code: 'FORBIDDEN', message: 'the call was not approved: not today' },
      },
    ];
    const decision = await sut.next(state({ call: CALL, iteration: 2, steps }));
    expect(decision.kind).toBe('fail');
    const error = (decision as { error: DomainError }).error;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('notes.add: the call was not approved: not today');
    expect(error.retryable).toBe(false);
  });

  it('keeps a temporary failure retryable and maps an unknown code to INTERNAL', async () => {
    const { sut } = setup();
    const busy: ObservedStep[] = [
      {
        action: callAction(),
        status: 'failed',
        error: { code: 'UPSTREAM_UNAVAILABLE', message: 'away', retryable: true },
      },
    ];
    const odd: ObservedStep[] = [
      { action: callAction(), status: 'failed', error: { code: 'WEIRD', message: 'odd' } },
    ];
    const a = await sut.next(state({ call: CALL, iteration: 2, steps: busy }));
    const b = await sut.next(state({ call: CALL, iteration: 2, steps: odd }));
    expect((a as { error: DomainError }).error.retryable).toBe(true);
    expect((b as { error: DomainError }).error.code).toBe('INTERNAL');
  });

  it('recognises a resumed direct call by its stored first round (the resubmission has no call)', async () => {
    const { sut, inner } = setup();
    const rounds = [await storedFirstRound()];
    const steps: ObservedStep[] = [{ action: callAction(), status: 'completed', output: 'done' }];
    const decision = await sut.next(state({ iteration: 2, steps, rounds }));
    expect(decision).toMatchObject({ kind: 'final', answer: 'done' });
    expect(inner.asked).toBe(0);
    expect(sut.estimatePromptTokens(state({ iteration: 2, steps, rounds }))).toBe(0);
  });

  it('refuses a tool that was not offered to the task', async () => {
    const { sut } = setup();
    const decision = await sut.next(
      state({ call: { tool: 'mail.send', input: {} }, tools: [tool('notes.add')] }),
    );
    expect(decision.kind).toBe('fail');
    expect((decision as { error: DomainError }).error.code).toBe('FORBIDDEN');
    expect((decision as { error: DomainError }).error.message).toContain('mail.send');
  });

  it('fails rather than loops when a later round finds no call step', async () => {
    const { sut } = setup();
    const decision = await sut.next(state({ call: CALL, iteration: 2 }));
    expect(decision.kind).toBe('fail');
    expect((decision as { error: DomainError }).error.code).toBe('INTERNAL');
  });

  it('hands every other task to the configured planner, under its kind and model', async () => {
    const { sut, inner } = setup();
    const other: PastRound = {
      iteration: 1,
      decision: { kind: 'actions', actions: [], memo: { calls: [] } },
    };
    expect(await sut.next(state({ rounds: [other], iteration: 2 }))).toEqual({
      kind: 'final',
      answer: 'from the inner planner',
    });
    expect(inner.asked).toBe(1);
    expect(sut.kind).toBe('llm');
    expect(sut.model).toBe('gpt-test');
    expect(sut.estimatePromptTokens(state())).toBe(1234);
    expect(sut.estimatePromptTokens(state({ call: CALL }))).toBe(0);
    // Only the inner planner's rounds ask a model (and are checked against the tenant's budget).
    expect(sut.asksModel(state())).toBe(true);
    expect(sut.asksModel(state({ call: CALL }))).toBe(false);
  });

  it('plans as an agent version when its inner planner does (a direct call still asks no model)', async () => {
    const { sut } = setup();
    const agent = { instructions: 'x', model: { name: 'gpt-v2' } };
    expect(sut.forAgent(agent)).toBe(sut);
    const llm = new InnerPlanner();
    const asVersion = new InnerPlanner();
    Object.assign(llm, { forAgent: () => asVersion });
    const wrapped = new DirectCallPlanner(llm).forAgent(agent);
    expect(wrapped).toBeInstanceOf(DirectCallPlanner);
    await wrapped.next(state({ iteration: 2, rounds: [] }));
    expect([llm.asked, asVersion.asked]).toEqual([0, 1]);
    expect(await wrapped.next(state({ call: CALL }))).toMatchObject({ kind: 'actions' });
  });
});
