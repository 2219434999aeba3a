import { describe, expect, it } from '@jest/globals';
import { Evaluations } from '@switchboard/contracts';
import { jsonSchemaMatch } from './answer.js';
import { codeScore, scorerName, scorerVersion } from './code-scorers.js';

const spec = (s: unknown) => Evaluations.ScorerSpec.parse(s);
const run = {
  answer: '17 * 23 = 391. Saved it as a note.',
  calls: [
    { tool: 'calculator', args: { expression: '17 * 23' } },
    { tool: 'notes.add', args: { text: '391' } },
  ],
};

describe('code scorers', () => {
  it('exact and contains: whitespace squashed, case ignored unless asked', () => {
    const answer = { ...run, answer: '  Hello   World ' };
    expect(codeScore(spec({ kind: 'exact' }), answer, { answer: 'hello world' })?.value).toBe(1);
    expect(
      codeScore(spec({ kind: 'exact', caseSensitive: true }), answer, { answer: 'hello world' })
        ?.value,
    ).toBe(0);
    expect(codeScore(spec({ kind: 'exact' }), run, { answer: '391' })?.value).toBe(0);
    expect(codeScore(spec({ kind: 'contains' }), run, { answer: '391' })?.value).toBe(1);
    expect(codeScore(spec({ kind: 'contains' }), run, { answer: '400' })?.value).toBe(0);
  });

  it('regex on the answer, needing no expectation', () => {
    expect(codeScore(spec({ kind: 'regex', pattern: '\\b391\\b' }), run, {})?.value).toBe(1);
    expect(codeScore(spec({ kind: 'regex', pattern: '^saved', flags: 'i' }), run, {})?.value).toBe(
      0,
    );
  });

  it('scores nothing when the item lacks the expectation (not a 0 that reads as a failure)', () => {
    for (const kind of ['exact', 'contains', 'json-schema', 'trajectory'])
      expect(codeScore(spec({ kind }), run, {})).toBeUndefined();
    expect(codeScore(spec({ kind: 'judge', rubric: 'r' }), run, { answer: 'x' })).toBeUndefined();
  });

  it('json-schema: the answer (or its fenced json block) valid against the schema, else the problems', () => {
    const schema = {
      type: 'object',
      required: ['result'],
      properties: { result: { type: 'number' } },
    };
    expect(jsonSchemaMatch('{"result": 391}', schema)).toEqual({ ok: true, problems: [] });
    expect(jsonSchemaMatch('Here:\n```json\n{"result": 391}\n```', schema).ok).toBe(true);
    expect(jsonSchemaMatch('{"result": "391"}', schema).problems[0]).toMatch(/result/);
    expect(jsonSchemaMatch('391 it is', schema)).toEqual({
      ok: false,
      problems: ['the answer is not JSON'],
    });
    const scored = codeScore(spec({ kind: 'json-schema' }), { ...run, answer: '{}' }, { schema });
    expect(scored?.value).toBe(0);
    expect(scored?.reason).toMatch(/result/);
  });

  it('trajectory: its mode and argument match, with a reason naming both sides when it fails', () => {
    const trajectory = [{ tool: 'calculator' }, { tool: 'notes.add', args: { text: '391' } }];
    expect(codeScore(spec({ kind: 'trajectory' }), run, { trajectory })?.value).toBe(1);
    const reversed = { ...run, calls: [...run.calls].reverse() };
    const strict = codeScore(spec({ kind: 'trajectory' }), reversed, { trajectory });
    expect(strict?.value).toBe(0);
    expect(strict?.reason).toBe(
      'expected [calculator, notes.add] (strict, args exact), got [notes.add, calculator]',
    );
    expect(
      codeScore(spec({ kind: 'trajectory', mode: 'any-order' }), reversed, { trajectory })?.value,
    ).toBe(1);
  });

  it('names a scorer by its name or kind, and versions it by its definition', () => {
    expect(scorerName(spec({ kind: 'trajectory', mode: 'subset' }))).toBe('trajectory.subset');
    expect(scorerName(spec({ kind: 'exact', name: 'answer' }))).toBe('answer');
    const v = scorerVersion(spec({ kind: 'regex', pattern: 'a' }));
    expect(v).toMatch(/^regex@1:[0-9a-f]{12}$/);
    expect(scorerVersion(spec({ kind: 'regex', pattern: 'a' }))).toBe(v);
    expect(scorerVersion(spec({ kind: 'regex', pattern: 'b' }))).not.toBe(v);
  });

  it('refuses a scorer definition naming the field', () => {
    const bad = Evaluations.ScorerSpec.safeParse({ kind: 'trajectory', mode: 'sideways' });
    expect(bad.error?.issues[0]?.path).toEqual(['mode']);
  });
});
