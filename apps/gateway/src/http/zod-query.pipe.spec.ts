import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { z } from 'zod';
import { parseQuery, ZodQueryPipe } from './zod-query.pipe.js';

const Query = z.object({ limit: z.coerce.number().int().max(10).default(5) });

describe(parseQuery.name, () => {
  it('reads an absent query string as empty, so the defaults apply', () => {
    expect(parseQuery(Query, undefined)).toEqual({ limit: 5 });
    expect(parseQuery(Query, { limit: '7' })).toEqual({ limit: 7 });
  });

  it('refuses a bad parameter as VALIDATION of the query string, naming it', () => {
    let thrown: unknown;
    try {
      parseQuery(Query, { limit: '11' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('VALIDATION');
    expect((thrown as DomainError).message).toMatch(/^invalid query string: limit: /);
  });
});

describe(ZodQueryPipe.name, () => {
  it('answers as parseQuery does', () => {
    const pipe = new ZodQueryPipe(Query);
    expect(pipe.transform({ limit: '3' })).toEqual({ limit: 3 });
    expect(() => pipe.transform({ limit: 'x' })).toThrow(/invalid query string: limit/);
  });
});
