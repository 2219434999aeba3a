import { type DomainError, Tasks, type Tools } from '@switchboard/contracts';
import { BuiltinPlanner, normalizeExpression, planTask } from './builtin-planner.js';
import { AgentsUnavailable } from './planner.js';
import { resolveReferences } from './plan-references.js';

const tool = (name: string, provider = 'x'): Tools.ManifestTool => ({
  name,
  title: name,
  description: name,
  provider,
  inputSchema: { type: 'object' },
  idempotent: true,
});
const TOOLS = [
  'calculator',
  'notes.add',
  'notes.get',
  'notes.list',
  'time.now',
  'weather.current',
].map((n) => tool(n));
const AGENTS = [
  { name: 'researcher', description: 'finds facts' },
  { name: 'writer', description: 'drafts documents' },
];
const signal = new AbortController().signal;

describe(BuiltinPlanner.name, () => {
  const sut = new BuiltinPlanner();

  it('plans the demo task as a calculator step feeding a note', () => {
    const actions = planTask('what is 17 * 23, then save the result as a note', TOOLS, AGENTS);
    expect(actions).toEqual([
      expect.objectContaining({
        id: 's1',
        kind: 'tool',
        target: 'calculator',
        input: { expression: '17 * 23' },
      }),
      expect.objectContaining({
        id: 's2',
        kind: 'tool',
        target: 'notes.add',
        input: { content: '{{steps.s1.output.result}}' },
      }),
    ]);
  });

  it.each([
    ['calculate (2 + 3) ^ 2', '(2 + 3) ^ 2'],
    ['what is 17 x 23?', '17 * 23'],
    ['12 / 4', '12 / 4'],
    ["what's sqrt(16) + 1", 'sqrt(16) + 1'],
  ])('recognises arithmetic in %p', (task, expression) => {
    expect(planTask(task, TOOLS, AGENTS)).toEqual([
      expect.objectContaining({ target: 'calculator', input: { expression } }),
    ]);
  });

  it('does not mistake prose for arithmetic', () => {
    expect(normalizeExpression('the year 2024')).toBeUndefined();
    expect(normalizeExpression('42')).toBe('42');
  });

  it.each([
    ['add a note saying buy milk', 'notes.add', { content: 'buy milk' }],
    ['remember that the meeting is at 3', 'notes.add', { content: 'the meeting is at 3' }],
    ['list my notes', 'notes.list', {}],
    [
      'get note 0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
      'notes.get',
      { id: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d' },
    ],
    ['what time is it in Europe/Paris', 'time.now', { timezone: 'Europe/Paris' }],
    ['what is the weather in Paris', 'weather.current', { location: 'Paris' }],
    ['call notes.get with {"id": "x"}', 'notes.get', { id: 'x' }],
  ])('maps %p', (task, target, input) => {
    expect(planTask(task, TOOLS, AGENTS)).toEqual([expect.objectContaining({ target, input })]);
  });

  it('chains delegation to known agents, passing the previous answer as context', () => {
    const actions = planTask(
      'ask the researcher about NATS JetStream, then have the writer draft a summary',
      TOOLS,
      AGENTS,
    );
    expect(actions).toEqual([
      expect.objectContaining({
        kind: 'agent',
        target: 'researcher',
        input: { message: 'NATS JetStream' },
      }),
      expect.objectContaining({
        kind: 'agent',
        target: 'writer',
        input: { message: 'draft a summary', context: '{{steps.s1.output.text}}' },
      }),
    ]);
  });

  it('refuses unknown requests, unknown agents and tools the user was not offered', () => {
    expect(() => planTask('paint the fence', TOOLS, AGENTS)).toThrow(
      /does not understand "paint the fence"/,
    );
    expect(() => planTask('ask the plumber about pipes', TOOLS, AGENTS)).toThrow(
      /no agent named "plumber"/,
    );
    expect(() => planTask('what is 1 + 1', [tool('notes.add')], AGENTS)).toThrow(
      /calculator is not available/,
    );
    expect(() => planTask('call x with {not json}', TOOLS, AGENTS)).toThrow(/not valid JSON/);
    // Explicit calls are left to mcp-tools, which knows every tool and enforces access itself.
    expect(planTask('call frobnicate with {}', TOOLS, AGENTS)).toEqual([
      expect.objectContaining({ target: 'frobnicate' }),
    ]);
  });

  const refusal = (task: string, tools: Tools.ManifestTool[], agents = AGENTS): string => {
    try {
      planTask(task, tools, agents);
    } catch (e) {
      expect((e as DomainError).code).toBe('UNSUPPORTED');
      return (e as DomainError).message;
    }
    throw new Error(`"${task}" was planned`);
  };

  it('says how to plan with an LLM when it does not understand a request', () => {
    const message = refusal('paint the fence', TOOLS);
    expect(message).toMatch(/^The built-in planner \(no LLM is configured\) does not understand/);
    expect(message).toContain('OPENAI_BASE_URL');
    expect(message).toContain('OPENAI_API_KEY');
    expect(message).toContain('LLM_MODEL');
    expect(message).toContain('docs/planner.md');
  });

  it('suggests only the tools and agents the task was offered', () => {
    const all = refusal('paint the fence', TOOLS);
    expect(all).toContain('the weather ("weather in Paris")');
    expect(all).toContain('"ask the researcher about …"');

    // weather.current not offered (not configured on this stack): never suggested
    const noWeather = refusal(
      'paint the fence',
      TOOLS.filter((t) => t.name !== 'weather.current'),
    );
    expect(noWeather).not.toMatch(/weather/i);
    expect(noWeather).toContain('arithmetic ("what is 17 * 23")');

    const calculatorOnly = refusal('paint the fence', [tool('calculator')], []);
    expect(calculatorOnly).toContain('arithmetic');
    expect(calculatorOnly).not.toMatch(/note|time|weather|researcher|writer|delegat/i);
    expect(calculatorOnly).toContain('"call calculator with {…}"');

    const nothing = refusal('paint the fence', [], []);
    expect(nothing).toContain('this task was offered no tools and no agents');
    expect(nothing).not.toMatch(/arithmetic|note|weather|researcher/i);
    expect(refusal('', [tool('time.now')], [])).toMatch(/^The task is empty\..*the time/);
  });

  it('keeps every action within the contract: long descriptions are cut, the input is whole', () => {
    const expression = `${'1+'.repeat(245)}1`;
    const [calc] = planTask(`what is ${expression}`, TOOLS, AGENTS);
    expect(calc?.input).toEqual({ expression });
    expect(calc?.description).toHaveLength(Tasks.PLAN_DESCRIPTION_MAX);
    expect(calc?.description).toMatch(/^calculate 1\+1\+.*…$/);
    const message = 'x'.repeat(600);
    const [delegation] = planTask(`ask the researcher about ${message}`, TOOLS, AGENTS);
    expect(delegation?.input).toEqual({ message });
    expect(delegation?.description).toHaveLength(Tasks.PLAN_DESCRIPTION_MAX);
    for (const a of [calc, delegation]) expect(Tasks.PlanAction.safeParse(a).success).toBe(true);
  });

  it('refuses an action the contract refuses, with a VALIDATION error naming the field', async () => {
    const longName = `call ${'a'.repeat(200)} with {}`;
    expect(() => planTask(longName, TOOLS, AGENTS)).toThrow(
      /invalid action s1 of the plan: target: .*128/,
    );
    expect(() => planTask('call notes.add with {"content": "a\\u0000b"}', TOOLS, AGENTS)).toThrow(
      /invalid action s1 of the plan: input\.content: must not contain the NUL character/,
    );
    const decision = await sut.next({
      task: longName,
      tools: TOOLS,
      agents: AGENTS,
      iteration: 1,
      signal,
      rounds: [],
      history: [],
      steps: [],
    });
    expect(decision.kind === 'fail' && decision.error.code).toBe('VALIDATION');
  });

  it.each([
    ['what is 1+1 then then then', /part 2 of 4 of the task is empty/],
    ['what is 1+1, then', /part 2 of 2 of the task is empty/],
    ['then what is 1+1', /part 1 of 2 of the task is empty/],
  ])('refuses the empty clause in %p', (task, message) => {
    expect(() => planTask(task, TOOLS, AGENTS)).toThrow(message);
  });

  it('answers from the observed results, and fails when a step failed', async () => {
    const actions = planTask('what is 17 * 23, then save the result as a note', TOOLS, AGENTS);
    const done = await sut.next({
      task: '',
      tools: TOOLS,
      agents: [],
      iteration: 2,
      signal,
      rounds: [],
      history: [],
      steps: [
        {
          action: actions[0]!,
          status: 'completed',
          output: { expression: '17 * 23', result: 391 },
        },
        {
          action: actions[1]!,
          status: 'completed',
          output: { id: 'n1', content: '391', title: null, createdAt: '' },
        },
      ],
    });
    expect(done).toMatchObject({ kind: 'final', answer: '17 * 23 = 391. Saved note n1: "391".' });
    const failed = await sut.next({
      task: '',
      tools: TOOLS,
      agents: [],
      iteration: 2,
      signal,
      rounds: [],
      history: [],
      steps: [
        {
          action: actions[0]!,
          status: 'failed',
          error: { code: 'VALIDATION', message: 'bad expression' },
        },
      ],
    });
    expect(failed.kind).toBe('fail');
    expect(failed.kind === 'fail' && failed.error.code).toBe('VALIDATION');
    const away = await sut.next({
      task: '',
      tools: TOOLS,
      agents: [],
      iteration: 2,
      signal,
      rounds: [],
      history: [],
      steps: [
        {
          action: actions[0]!,
          status: 'failed',
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'mcp-tools is away', retryable: true },
        },
      ],
    });
    // A temporary failure stays retryable for whoever submitted the task.
    expect(away.kind === 'fail' && away.error.toBody()).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });

  it('says an agent is temporarily unreachable, not unknown, when the agent list could not be read', () => {
    const e = failure(() =>
      planTask('ask the researcher about tides', TOOLS, [], 'a2a is not available (no responders)'),
    );
    expect(e).toBeInstanceOf(AgentsUnavailable);
    expect(e.toBody()).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: 'agent "researcher" cannot be reached now: a2a is not available (no responders)',
    });
    // Tasks that need no agent plan as usual.
    expect(planTask('what is 1 + 1', TOOLS, [], 'a2a is away')).toHaveLength(1);
  });
});

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

describe('resolveReferences', () => {
  const outputs = new Map<string, unknown>([['s1', { result: 391, nested: { a: [1] } }]]);

  it('interpolates templates and replaces whole references by value', () => {
    expect(resolveReferences({ content: '{{steps.s1.output.result}}' }, outputs)).toEqual({
      content: '391',
    });
    expect(
      resolveReferences({ n: '$steps.s1.output.result', all: '$steps.s1.output' }, outputs),
    ).toEqual({
      n: 391,
      all: { result: 391, nested: { a: [1] } },
    });
  });

  it('names what is missing', () => {
    expect(() => resolveReferences('{{steps.s9.output}}', outputs)).toThrow(
      /step s9 has no result/,
    );
    expect(() => resolveReferences('$steps.s1.output.nope', outputs)).toThrow(/has no "nope"/);
  });
});
