import type { Tools } from '@switchboard/contracts';
import type { PastRound, PlanDecision } from '../planner.js';
import type { LlmClient, LlmCompletion, LlmRequest } from './llm.client.js';
import { LlmPlanner } from './llm-planner.js';

const calculator: Tools.ManifestTool = {
  name: 'calculator',
  title: 'Calculator',
  description: 'arithmetic',
  provider: 'math',
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string' } },
    required: ['expression'],
  },
  idempotent: true,
};

class FakeClient implements LlmClient {
  readonly requests: LlmRequest[] = [];
  constructor(private readonly answers: LlmCompletion[]) {}
  async complete(request: LlmRequest): Promise<LlmCompletion> {
    this.requests.push(request);
    const a = this.answers.shift();
    if (!a) throw new Error('no answer left');
    return a;
  }
}

const settings = { model: 'm', temperature: 0, maxOutputTokens: 500, maxObservationChars: 150 };
const signal = new AbortController().signal;

describe(LlmPlanner.name, () => {
  it('rebuilds the conversation from history, stored rounds and observed steps, and estimates unreported usage', async () => {
    const client = new FakeClient([
      {
        content: null,
        toolCalls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"6*7"}' },
          },
          { id: 'c2', type: 'function', function: { name: 'nope', arguments: '{}' } },
        ],
        model: 'm-2026',
        usage: { promptTokens: 50, completionTokens: 5 },
      },
      { content: '42', toolCalls: [], model: 'm-2026' },
    ]);
    const sut = new LlmPlanner(client, settings);
    const base = {
      task: 'what is 6*7?',
      tools: [calculator],
      agents: [],
      signal,
      history: [
        { role: 'user' as const, content: 'hi' },
        { role: 'assistant' as const, content: 'hello' },
      ],
    };

    const first = await sut.next({
      ...base,
      steps: [],
      iteration: 1,
      rounds: [],
      maxOutputTokens: 100,
    });
    expect(first).toMatchObject({
      kind: 'actions',
      actions: [{ id: 'r1_c1', target: 'calculator' }],
      usage: { promptTokens: 50, completionTokens: 5, totalTokens: 55 },
      model: 'm-2026',
    });
    expect(client.requests[0]!.maxOutputTokens).toBe(100);
    expect(client.requests[0]!.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);

    const rounds: PastRound[] = [{ iteration: 1, decision: first }];
    const long = 'z'.repeat(300);
    const second = await sut.next({
      ...base,
      iteration: 2,
      rounds,
      steps: [
        {
          action: (first as Extract<PlanDecision, { kind: 'actions' }>).actions[0]!,
          status: 'completed',
          output: { result: 42, note: long },
        },
      ],
    });
    expect(second).toMatchObject({ kind: 'final', answer: '42', usage: { estimated: true } });
    expect(client.requests[1]!.maxOutputTokens).toBe(500);
    const messages = client.requests[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'tool',
      'tool',
    ]);
    expect(messages[4]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'c1' }, { id: 'c2' }],
    });
    const [ok, refused] = messages.slice(5) as { tool_call_id: string; content: string }[];
    expect(ok!.tool_call_id).toBe('c1');
    expect(ok!.content).toMatch(
      /^\{"tool":"calculator","status":"completed","output":\{"result":42.*\.\.\. \[truncated, \d+ chars total\]$/,
    );
    expect(refused).toMatchObject({ tool_call_id: 'c2' });
    expect(JSON.parse(refused!.content)).toEqual({
      status: 'refused',
      reason: expect.stringContaining('"nope" is not a function you were offered'),
    });
    expect(sut.estimatePromptTokens({ ...base, iteration: 3, rounds, steps: [] })).toBeGreaterThan(
      50,
    );
  });
});

describe('LlmPlanner.forAgent (docs/agents.md)', () => {
  const answer: LlmCompletion = { content: 'ok', toolCalls: [], model: 'x' };
  const state = {
    task: 'hi',
    tools: [calculator],
    agents: [],
    steps: [],
    iteration: 1,
    rounds: [],
    history: [],
    signal,
  };

  it("asks the version's model with its parameters, its instructions opening the system prompt", async () => {
    const client = new FakeClient([answer, answer]);
    const platform = new LlmPlanner(client, settings);
    const v2 = platform.forAgent({
      instructions: 'You are a terse pirate.',
      model: { name: 'pirate-1', temperature: 0.7, topP: 0.9, maxOutputTokens: 64 },
    });
    expect(v2.model).toBe('pirate-1');
    await v2.next(state);
    await platform.next(state);
    const [asVersion, asPlatform] = client.requests;
    expect(asVersion).toMatchObject({
      model: 'pirate-1',
      temperature: 0.7,
      topP: 0.9,
      maxOutputTokens: 64,
    });
    const system = (r: LlmRequest | undefined) => r?.messages[0]?.content as string;
    expect(system(asVersion)).toMatch(/^You are a terse pirate\.\n/);
    // the platform's rules for the functions follow the version's text
    expect(system(asVersion)).toContain('call `plan`');
    expect(system(asVersion)).not.toContain('You are the planner of Switchboard');
    // the planner it came from is unchanged
    expect(asPlatform).toMatchObject({ model: 'm', temperature: 0, maxOutputTokens: 500 });
    expect(asPlatform).not.toHaveProperty('topP');
    expect(system(asPlatform)).toMatch(/^You are the planner of Switchboard/);
  });

  it("keeps the platform's parameters the version does not set, and a fork's whole system prompt", async () => {
    const client = new FakeClient([answer, answer]);
    const bare = new LlmPlanner(client, settings).forAgent({
      instructions: '  ',
      model: { name: 'other' },
    });
    const forked = new LlmPlanner(client, { ...settings, systemPrompt: 'EDITED' }).forAgent({
      instructions: 'Be brief.',
      model: { name: 'other' },
    });
    await bare.next(state);
    await forked.next(state);
    const [a, b] = client.requests;
    expect(a).toMatchObject({ model: 'other', temperature: 0, maxOutputTokens: 500 });
    expect(a?.messages[0]?.content).toMatch(/^You are the planner of Switchboard/);
    expect(b?.messages[0]?.content).toBe('EDITED');
  });
});
