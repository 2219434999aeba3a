import { describe, expect, it } from '@jest/globals';
import { a2aStateWords, actionWords, delegationFacts, usageWords } from './format';

describe(a2aStateWords.name, () => {
  it("says A2A 1.0's and 0.3's task states in words", () => {
    expect(a2aStateWords('TASK_STATE_COMPLETED')).toBe('completed');
    expect(a2aStateWords('TASK_STATE_WORKING')).toBe('working');
    expect(a2aStateWords('TASK_STATE_INPUT_REQUIRED')).toBe('waiting for input');
    expect(a2aStateWords('TASK_STATE_AUTH_REQUIRED')).toBe('waiting for authorization');
    expect(a2aStateWords('TASK_STATE_CANCELED')).toBe('cancelled');
    expect(a2aStateWords('TASK_STATE_UNSPECIFIED')).toBe('state unknown');
    expect(a2aStateWords('input-required')).toBe('waiting for input');
    expect(a2aStateWords('canceled')).toBe('cancelled');
    expect(a2aStateWords('TASK_STATE_SOMETHING_NEW')).toBe('something new');
  });
});

describe(usageWords.name, () => {
  it('says "no LLM" for the built-in planner instead of counting 0 tokens', () => {
    expect(usageWords({ planner: 'builtin', tokens: 0 })).toBe('no LLM');
    expect(usageWords({ planner: 'llm', tokens: 0 })).toBe('0 tokens');
    expect(usageWords({ planner: 'llm', tokens: 1234, estimated: true })).toBe(
      '1,234 tokens (estimated)',
    );
    expect(usageWords({ tokens: 0 })).toBe('0 tokens');
  });
});

describe(actionWords.name, () => {
  it('names the target once when the description repeats the verb and the target', () => {
    expect(
      actionWords({
        kind: 'agent',
        target: 'researcher',
        description: 'delegate to researcher: NATS JetStream',
      }),
    ).toEqual({ verb: 'delegate to', target: 'researcher', detail: 'NATS JetStream' });
    expect(
      actionWords({ kind: 'tool', target: 'notes.get', description: 'call notes.get' }),
    ).toEqual({ verb: 'call', target: 'notes.get' });
  });

  it('keeps a description that says something else', () => {
    expect(
      actionWords({ kind: 'tool', target: 'calculator', description: 'calculate 17 * 23' }),
    ).toEqual({ verb: 'call', target: 'calculator', detail: 'calculate 17 * 23' });
    // Another tool whose name begins with the target's is not a repetition.
    expect(
      actionWords({ kind: 'tool', target: 'notes.get', description: 'call notes.getAll first' }),
    ).toEqual({ verb: 'call', target: 'notes.get', detail: 'call notes.getAll first' });
  });
});

describe(delegationFacts.name, () => {
  it('names the transport only when known: a delegation cancelled before it reached the agent has none', () => {
    expect(delegationFacts({ status: 'failed' })).toEqual({});
    expect(
      delegationFacts({
        status: 'completed',
        transport: 'xmpp',
        state: 'TASK_STATE_COMPLETED',
        durationMs: 1_500,
      }),
    ).toEqual({ transport: 'xmpp', duration: '1.50 s' });
    expect(
      delegationFacts({ status: 'running', transport: 'http', state: 'TASK_STATE_INPUT_REQUIRED' }),
    ).toEqual({ transport: 'http', state: 'waiting for input' });
  });
});
