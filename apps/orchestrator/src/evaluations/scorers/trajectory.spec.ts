import { describe, expect, it } from '@jest/globals';
import type { Evaluations } from '@switchboard/contracts';
import { type Call, callMatches, normalized, trajectoryMatches } from './trajectory.js';

const calc = (expression: string): Call => ({ tool: 'calculator', args: { expression } });
const note = (text: string, tags?: string[]): Call => ({
  tool: 'notes.add',
  args: { text, ...(tags ? { tags } : {}) },
});
const run = [calc('17 * 23'), note('391')];
const match = (
  actual: Call[],
  expected: Call[],
  mode: Evaluations.TrajectoryMode,
  args: Evaluations.ArgsMatch = 'exact',
) => trajectoryMatches(actual, expected, mode, args);

describe('normalized arguments', () => {
  it('ignore key order and undefined members, not values or array order', () => {
    expect(normalized({ b: 1, a: { d: 2, c: undefined, e: [2, 1] } })).toEqual({
      a: { d: 2, e: [2, 1] },
      b: 1,
    });
    expect(JSON.stringify(normalized({ b: 1, a: 2 }))).toBe(JSON.stringify({ a: 2, b: 1 }));
  });
});

describe('one call against an expected one', () => {
  it('needs the same tool whatever the argument mode', () => {
    for (const mode of ['exact', 'ignore', 'subset'] as const)
      expect(callMatches(note('391'), { tool: 'calculator' }, mode)).toBe(false);
  });

  it('exact: equal arguments, in any key order', () => {
    expect(
      callMatches(
        { tool: 't', args: { a: 1, b: 2 } },
        { tool: 't', args: { b: 2, a: 1 } },
        'exact',
      ),
    ).toBe(true);
    expect(callMatches(note('391', ['x']), note('391'), 'exact')).toBe(false);
    expect(callMatches(note('391'), note('400'), 'exact')).toBe(false);
  });

  it('subset: the expected members present and equal, more allowed (recursively)', () => {
    expect(callMatches(note('391', ['x']), note('391'), 'subset')).toBe(true);
    expect(callMatches(note('391'), note('391', ['x']), 'subset')).toBe(false);
    expect(
      callMatches(
        { tool: 't', args: { q: { a: 1, b: 2 } } },
        { tool: 't', args: { q: { a: 1 } } },
        'subset',
      ),
    ).toBe(true);
    expect(
      callMatches({ tool: 't', args: { q: 'x' } }, { tool: 't', args: { q: { a: 1 } } }, 'subset'),
    ).toBe(false);
  });

  it('ignore, or an expected call naming no arguments: the tool is enough', () => {
    expect(callMatches(note('391'), note('400'), 'ignore')).toBe(true);
    expect(callMatches(note('391'), { tool: 'notes.add' }, 'exact')).toBe(true);
  });
});

describe('a trajectory against the expected one', () => {
  it('strict: the same calls in the same order, nothing more or less', () => {
    expect(match(run, run, 'strict')).toBe(true);
    expect(match([...run].reverse(), run, 'strict')).toBe(false);
    expect(match([...run, calc('1+1')], run, 'strict')).toBe(false);
    expect(match(run.slice(0, 1), run, 'strict')).toBe(false);
    expect(match([], [], 'strict')).toBe(true);
  });

  it('in-order: the expected calls in their order, others between them allowed', () => {
    expect(match([calc('17 * 23'), calc('1+1'), note('391')], run, 'in-order')).toBe(true);
    expect(match([note('391'), calc('17 * 23')], run, 'in-order')).toBe(false);
    expect(match([calc('17 * 23')], run, 'in-order')).toBe(false);
  });

  it('any-order: the same calls in any order, nothing more or less', () => {
    expect(match([note('391'), calc('17 * 23')], run, 'any-order')).toBe(true);
    expect(match([note('391'), calc('17 * 23'), note('391')], run, 'any-order')).toBe(false);
    // a call counts once: two of the same do not stand for one of each
    expect(match([calc('17 * 23'), calc('17 * 23')], run, 'any-order')).toBe(false);
  });

  it('subset: every call made is expected, some may be missing', () => {
    expect(match([note('391')], run, 'subset')).toBe(true);
    expect(match([], run, 'subset')).toBe(true);
    expect(match([note('391'), { tool: 'email.send' }], run, 'subset')).toBe(false);
  });

  it('superset: every expected call made, others may be added', () => {
    expect(match([{ tool: 'echo' }, note('391'), calc('17 * 23')], run, 'superset')).toBe(true);
    expect(match([note('391')], run, 'superset')).toBe(false);
  });

  it('applies the argument mode to every call', () => {
    const other = [calc('17*23'), note('391', ['math'])];
    expect(match(other, run, 'strict')).toBe(false);
    expect(match(other, run, 'strict', 'ignore')).toBe(true);
    expect(match([calc('17 * 23'), note('391', ['math'])], run, 'strict', 'subset')).toBe(true);
  });
});
