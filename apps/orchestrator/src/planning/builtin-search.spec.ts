import { describe, expect, it } from '@jest/globals';
import { Tools } from '@switchboard/contracts';
import { describeSearch, searchClause } from './builtin-search.js';

const offered = new Set([Tools.SEARCH_TOOL_NAME]);

describe(searchClause.name, () => {
  it('plans a search with the rest of the clause as its query', () => {
    expect(searchClause('find a tool to open a GitHub issue', 's1', offered)).toMatchObject({
      kind: 'tool',
      target: Tools.SEARCH_TOOL_NAME,
      input: { query: 'open a GitHub issue' },
    });
    expect(searchClause('search tools for sending SMS', 's1', offered)?.input).toEqual({
      query: 'sending SMS',
    });
  });

  it('plans nothing when the task was not offered the search tool, or the clause is another', () => {
    expect(searchClause('find a tool to open an issue', 's1', new Set())).toBeUndefined();
    expect(searchClause('what is 2 + 2', 's1', offered)).toBeUndefined();
  });

  it('answers with the tools found, or says none matched', () => {
    const tool = {
      name: 'gh__create_issue',
      title: 'Create issue',
      description: 'd',
      provider: 'gh',
      inputSchema: { type: 'object' },
      idempotent: false,
    };
    const output = { query: 'q', searched: 9, results: [{ tool, score: 2, fingerprint: 'f' }] };
    expect(describeSearch(output)).toBe('Tools found: gh__create_issue (Create issue).');
    expect(describeSearch({ query: 'q', searched: 9, results: [] })).toBe(
      'No tool you may use matches that.',
    );
  });
});
