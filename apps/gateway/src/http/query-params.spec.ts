import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { csvOf, definedAs, limitQuery } from './query-params.js';

describe(csvOf.name, () => {
  const Letter = z.string().regex(/^[a-z]$/);

  it('splits, trims and drops empty parts, then checks each item', () => {
    expect(csvOf(Letter, { max: 5 }).parse(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(csvOf(Letter, { max: 5 }).safeParse('a,B').success).toBe(false);
  });

  it('bounds the count of items and, when given, requires a least count', () => {
    expect(csvOf(Letter, { max: 2 }).safeParse('a,b,c').success).toBe(false);
    expect(csvOf(Letter, { max: 2 }).parse('')).toEqual([]);
    expect(csvOf(Letter, { min: 1, max: 2 }).safeParse(' , ').success).toBe(false);
  });

  it('refuses a value longer than `chars` (4,000 unless said) before splitting it', () => {
    expect(csvOf(Letter, { max: 5000 }).safeParse('a,'.repeat(2_001)).success).toBe(false);
    expect(csvOf(Letter, { max: 5, chars: 4 }).safeParse('a,b,c').success).toBe(false);
    expect(csvOf(Letter, { max: 5, chars: 5 }).parse('a,b,c')).toEqual(['a', 'b', 'c']);
  });
});

describe(definedAs.name, () => {
  it('renames the set parameters in the order named and leaves out the unset ones', () => {
    const q = { user_id: 'u1', status: undefined, q: 'text', limit: 5 };
    const request = definedAs(q, { q: 'text', status: 'status', user_id: 'userId' });
    expect(request).toEqual({ text: 'text', userId: 'u1' });
    expect(Object.keys(request)).toEqual(['text', 'userId']);
    expect('status' in request).toBe(false);
  });

  it('keeps falsy values that are set', () => {
    expect(definedAs({ before: 0, flag: false }, { before: 'before', flag: 'f' })).toEqual({
      before: 0,
      f: false,
    });
  });
});

describe(limitQuery.name, () => {
  const Query = limitQuery(500, 100);

  it('reads the limit from its text, the default when absent', () => {
    expect(Query.parse({ limit: '20' })).toEqual({ limit: 20 });
    expect(Query.parse({})).toEqual({ limit: 100 });
  });

  it('refuses a limit out of 1 to max, a fraction, and any other parameter', () => {
    for (const limit of ['0', '501', '2.5', 'many'])
      expect(Query.safeParse({ limit }).success).toBe(false);
    expect(Query.parse({ limit: '500' })).toEqual({ limit: 500 });
    expect(Query.safeParse({ limit: '5', other: '1' }).success).toBe(false);
  });
});
