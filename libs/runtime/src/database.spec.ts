import { describe, expect, it } from '@jest/globals';
import { statementNames } from './database.js';

describe('statementNames', () => {
  it('gives a text the same name every time, and different texts different names', () => {
    const name = statementNames();
    const a = name({ sql: 'SELECT 1' });
    expect(a).toMatch(/^sb_[0-9a-f]{32}$/);
    expect(name({ sql: 'SELECT 1' })).toBe(a);
    expect(name({ sql: 'SELECT 2' })).not.toBe(a);
  });

  it('names the same text alike in every process (a hash of the text, not a counter)', () => {
    expect(statementNames()({ sql: 'SELECT $1' })).toBe(statementNames()({ sql: 'SELECT $1' }));
  });

  it('leaves texts past its limit unnamed, and keeps the names it gave', () => {
    const name = statementNames(2);
    const first = name({ sql: 'SELECT 1' });
    name({ sql: 'SELECT 2' });
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    expect(name({ sql: 'SELECT 1' })).toBe(first);
  });
});
