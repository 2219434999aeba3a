import { describe, expect, it } from '@jest/globals';
import { csv, csvDefault } from './env-lists.js';

describe('env lists', () => {
  it('splits on commas, trims and drops empty entries', () => {
    expect(csv.parse(' a, b ,,c ,')).toEqual(['a', 'b', 'c']);
    expect(csv.parse('')).toEqual([]);
  });

  it('parses the default as the variable would hold it, and a set value over it', () => {
    expect(csvDefault('input,output').parse(undefined)).toEqual(['input', 'output']);
    expect(csvDefault('input,output').parse('output')).toEqual(['output']);
  });
});
