import { describe, expect, it } from '@jest/globals';
import { canonicalJson, differenceWords } from './difference';

const step = (input: unknown, status: string, output?: unknown, code?: string) => ({
  action: { kind: 'tool', target: 'calculator', input },
  result: { status, ...(output !== undefined ? { output } : {}), ...(code ? { code } : {}) },
});

describe(differenceWords.name, () => {
  it("names what differs in a step: its arguments, status or result (key order doesn't count)", () => {
    expect(
      differenceWords(
        'step',
        step({ e: 1 }, 'completed', { r: 1, x: 2 }),
        step({ e: 1 }, 'completed', { x: 2, r: 1 }),
      ),
    ).toBeUndefined();
    expect(
      differenceWords('step', step({ e: 1 }, 'completed', 391), step({ e: 1 }, 'completed', 400)),
    ).toBe('the result differs');
    expect(
      differenceWords('step', step({ e: 1 }, 'completed', 1), step({ e: 2 }, 'completed', 2)),
    ).toBe('the arguments and the result differ');
    expect(
      differenceWords('step', step({}, 'completed', 1), step({}, 'failed', 1, 'TIMEOUT')),
    ).toBe('the status differs');
  });

  it('says a plural part differ', () => {
    expect(
      differenceWords('step', step({ e: 1 }, 'completed', 1), step({ e: 2 }, 'completed', 1)),
    ).toBe('the arguments differ');
  });

  it('names a changed decision, plan, answer or outcome', () => {
    const acts = (...targets: string[]) => ({
      kind: 'actions',
      actions: targets.map((target) => ({ kind: 'tool', target, input: {} })),
    });
    expect(differenceWords('round', acts('a'), { kind: 'fail', code: 'GUARDRAIL' })).toBe(
      'the decision differs',
    );
    expect(differenceWords('round', acts('a', 'b'), acts('a'))).toBe('the actions planned differ');
    expect(
      differenceWords('round', acts('a'), {
        kind: 'actions',
        actions: [{ kind: 'tool', target: 'a', input: { x: 1 } }],
      }),
    ).toBe("the actions' arguments differ");
    expect(
      differenceWords('round', { kind: 'final', answer: 'x' }, { kind: 'final', answer: 'y' }),
    ).toBe('the answer differs');
    expect(
      differenceWords(
        'outcome',
        { status: 'completed', answer: 'x' },
        { status: 'completed', answer: 'y' },
      ),
    ).toBe('the answer differs');
    expect(
      differenceWords(
        'input',
        { blocked: false },
        { blocked: true },
        { a: 'the record', b: 'the replay' },
      ),
    ).toBe('the input guardrail blocked the task text in the replay, not in the record');
    expect(differenceWords('input', { blocked: true }, { blocked: false })).toBe(
      'the input guardrail blocked the task text in A, not in B',
    );
    expect(differenceWords('input', { blocked: true }, { blocked: true })).toBeUndefined();
  });

  it('says which run did not get there, by the names given', () => {
    expect(differenceWords('step', null, step({}, 'completed'))).toBe('A did not get here');
    expect(
      differenceWords('round', { kind: 'final' }, null, { a: 'the record', b: 'the replay' }),
    ).toBe('the replay did not get here');
    expect(differenceWords('step', null, null)).toBeUndefined();
  });

  it('falls back to "the details differ" for a difference in no part it names', () => {
    expect(differenceWords('input', { blocked: false, extra: 1 }, { blocked: false })).toBe(
      'the details differ',
    );
  });
});

describe(canonicalJson.name, () => {
  it('sorts object keys at every depth, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: 0 } })).toBe('{"a":{"c":0,"d":[2,1]},"b":1}');
    expect(canonicalJson(undefined)).toBe('undefined');
  });
});
