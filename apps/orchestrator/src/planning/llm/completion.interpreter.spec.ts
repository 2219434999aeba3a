import type { Tools } from '@switchboard/contracts';
import { ArgumentValidator } from './argument-validator.js';
import { interpretCompletion } from './completion.interpreter.js';
import type { LlmCompletion } from './llm.client.js';
import { sanitizeFunctionName, ToolCatalog } from './tool-catalog.js';

const tool = (
  name: string,
  properties: Record<string, unknown> = {},
  required: string[] = [],
): Tools.ManifestTool => ({
  name,
  title: name,
  description: `the ${name} tool`,
  provider: 'p',
  inputSchema: { type: 'object', properties, required, additionalProperties: false },
  idempotent: true,
});
const TOOLS = [
  tool('calculator', { expression: { type: 'string' } }, ['expression']),
  tool('notes.add', { content: { type: 'string', minLength: 1 } }, ['content']),
];
const catalog = new ToolCatalog(TOOLS, [{ name: 'researcher', description: 'finds facts' }]);
const validator = new ArgumentValidator();
const completion = (c: Partial<LlmCompletion>): LlmCompletion => ({
  content: null,
  toolCalls: [],
  model: 'm',
  ...c,
});
const call = (name: string, args: unknown, id = `id-${name}`) => ({
  id,
  type: 'function' as const,
  function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) },
});

describe('ToolCatalog', () => {
  it('offers tools under function-calling names and maps them back', () => {
    expect(sanitizeFunctionName('notes.add')).toBe('notes__add');
    expect(sanitizeFunctionName('github:search issues')).toBe('github_search_issues');
    expect(sanitizeFunctionName('x'.repeat(100))).toHaveLength(64);
    expect(catalog.names).toEqual(['calculator', 'notes__add', 'delegate__researcher']);
    expect(catalog.functions.map((f) => f.name)).toEqual([
      'calculator',
      'notes__add',
      'delegate__researcher',
      'plan',
    ]);
    expect(catalog.resolve('notes__add')).toMatchObject({ kind: 'tool', target: 'notes.add' });
    expect(catalog.resolve('notes.add')).toMatchObject({ target: 'notes.add' });
    expect(catalog.resolve('delegate__researcher')).toMatchObject({
      kind: 'agent',
      target: 'researcher',
    });
    for (const f of catalog.functions) expect(f.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('keeps names unique when sanitising makes them collide, and never shadows plan', () => {
    const c = new ToolCatalog(
      [tool('a.b'), tool('a__b'), tool('plan'), tool('y'.repeat(70)), tool(`${'y'.repeat(64)}z`)],
      [],
    );
    expect(c.names).toEqual(['a__b', 'a__b_2', 'plan_2', 'y'.repeat(64), `${'y'.repeat(62)}_2`]);
    expect(c.resolve('a__b_2')?.target).toBe('a__b');
    expect(c.resolve('plan_2')?.target).toBe('plan');
  });

  it('offers no functions at all when there is nothing to call', () => {
    expect(new ToolCatalog([], []).functions).toEqual([]);
  });
});

describe('interpretCompletion', () => {
  const interpret = (c: Partial<LlmCompletion>, iteration = 1) =>
    interpretCompletion({ completion: completion(c), catalog, iteration, validator });

  it('takes plain text as the final answer, and nothing at all as a failure', () => {
    expect(interpret({ content: '  391  ' })).toMatchObject({
      kind: 'final',
      answer: '391',
      generatedText: '391',
    });
    expect(interpret({ content: ' ' })).toMatchObject({
      kind: 'fail',
      error: { code: 'UPSTREAM_ERROR' },
    });
  });

  it('turns several tool calls into independent actions with task-unique ids', () => {
    const d = interpret(
      {
        content: 'thinking',
        toolCalls: [
          call('calculator', { expression: '1+1' }),
          call('delegate__researcher', { message: 'NATS?' }),
        ],
      },
      3,
    );
    expect(d).toMatchObject({
      kind: 'actions',
      actions: [
        { id: 'r3_c1', kind: 'tool', target: 'calculator', input: { expression: '1+1' } },
        { id: 'r3_c2', kind: 'agent', target: 'researcher', input: { message: 'NATS?' } },
      ],
      groups: ['id-calculator', 'id-delegate__researcher'],
      memo: {
        calls: [
          { toolCallId: 'id-calculator', actionIds: ['r3_c1'] },
          { toolCallId: 'id-delegate__researcher', actionIds: ['r3_c2'] },
        ],
      },
    });
    expect(d.kind === 'actions' && d.rejected).toBeUndefined();
    expect(d.generatedText).toContain('thinking');
    expect(d.generatedText).toContain('NATS?');
  });

  it('refuses tools it was not offered, non-object arguments and arguments failing the schema, without dispatching them', () => {
    const d = interpret({
      toolCalls: [
        call('shell__exec', { cmd: 'rm -rf /' }),
        call('calculator', 'not json'),
        call('notes__add', { content: '' }),
        call('calculator', [1, 2]),
        call('calculator', { expression: '2*3' }),
      ],
      finishReason: 'length',
    });
    expect(d.kind).toBe('actions');
    if (d.kind !== 'actions') return;
    expect(d.actions.map((a) => a.target)).toEqual(['calculator']);
    expect(d.rejected).toEqual([
      {
        tool: 'shell__exec',
        reason: expect.stringContaining(
          'not a function you were offered; use one of: calculator, notes__add, delegate__researcher',
        ),
        // Only this one named a tool outside what was offered (audited as a refused call).
        notOffered: 'shell__exec',
      },
      {
        tool: 'calculator',
        reason: 'the arguments are not a JSON object (the answer was cut at the token limit)',
      },
      {
        tool: 'notes__add',
        reason: expect.stringContaining('invalid arguments for notes__add: content:'),
      },
      { tool: 'calculator', reason: expect.stringContaining('not a JSON object') },
    ]);
    expect((d.memo as { calls: unknown[] }).calls).toHaveLength(5);
  });

  it('turns a plan into ordered actions of one group, pointing its references at the task-wide ids', () => {
    const d = interpret(
      {
        toolCalls: [
          call('plan', {
            steps: [
              { id: 'calc', tool: 'calculator', arguments: { expression: '17*23' } },
              {
                id: 'save',
                tool: 'notes.add',
                arguments: { content: 'total {{steps.calc.output.result}} / $steps.r1_c1.output' },
                description: 'save it',
              },
              {
                id: 'n',
                tool: 'notes__add',
                arguments: '{"content": "$steps.calc.output.result"}',
              },
            ],
          }),
        ],
      },
      2,
    );
    expect(d).toMatchObject({
      kind: 'actions',
      actions: [
        { id: 'r2_calc', target: 'calculator' },
        {
          id: 'r2_save',
          target: 'notes.add',
          input: { content: 'total {{steps.r2_calc.output.result}} / $steps.r1_c1.output' },
          description: 'save it',
        },
        { id: 'r2_n', input: { content: '$steps.r2_calc.output.result' } },
      ],
      groups: ['id-plan', 'id-plan', 'id-plan'],
    });
  });

  it('refuses a malformed plan as a whole', () => {
    const refused = (steps: unknown) => {
      const d = interpret({ toolCalls: [call('plan', { steps })] });
      return d.kind === 'actions' ? [d.actions.length, d.rejected?.[0]?.reason] : [];
    };
    expect(refused([])).toEqual([0, expect.stringContaining('the plan is malformed')]);
    expect(refused([{ id: 'a', tool: 'nope', arguments: {} }])).toEqual([
      0,
      expect.stringContaining('step "a": "nope" is not a function'),
    ]);
    const plan = interpret({
      toolCalls: [call('plan', { steps: [{ id: 'a', tool: 'admin.debug', arguments: {} }] })],
    });
    expect(plan.kind === 'actions' && plan.rejected?.[0]).toMatchObject({
      tool: 'plan',
      notOffered: 'admin.debug',
    });
    expect(refused([{ id: 'a', tool: 'plan', arguments: {} }])).toEqual([
      0,
      'a plan cannot contain another plan',
    ]);
    expect(
      refused([
        { id: 'a', tool: 'calculator', arguments: { expression: '1' } },
        { id: 'a', tool: 'calculator', arguments: { expression: '2' } },
      ]),
    ).toEqual([0, 'the plan uses the step id "a" twice']);
    expect(refused([{ id: 'a', tool: 'calculator', arguments: { nope: 1 } }])).toEqual([
      0,
      expect.stringContaining('step "a": invalid arguments for calculator'),
    ]);
  });
});
