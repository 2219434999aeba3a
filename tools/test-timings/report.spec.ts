import { describe, expect, it } from '@jest/globals';
import { parseFiles, parseStages, summarize } from './report.mjs';

describe('the test-time report', () => {
  const stages = parseStages('unit\t200\tpassed\ne2e\t900\tfailed\n');
  const files = parseFiles(
    [
      JSON.stringify({ kind: 'jest', file: 'a.e2e-spec.ts', seconds: 12.5, tests: 3 }),
      'not json',
      JSON.stringify({ kind: 'chaos', file: 'nats-outage', seconds: 40, tests: 1 }),
      JSON.stringify({ kind: 'jest', file: 'b.int-spec.ts', seconds: 2, tests: 1, failed: 1 }),
    ].join('\n'),
  );

  it('lists the stages with their share, what no stage took, and the slowest files first', () => {
    const lines = summarize({ stages, files, elapsed: 1200, slowest: 2 });
    expect(lines[0]).toBe('elapsed: 1200 s (20.0 min; budget 40 min)');
    expect(lines.find((l) => l.startsWith('e2e'))).toMatch(/^e2e\s+900\s+75%\s+failed$/);
    expect(lines.find((l) => l.startsWith('(setup'))).toMatch(/\s100$/);
    const slow = lines.slice(lines.findIndex((l) => l.startsWith('seconds')) + 1, -2);
    expect(slow).toEqual([
      expect.stringMatching(/^ +40\.0 +1 {2}chaos: nats-outage$/),
      expect.stringMatching(/^ +12\.5 +3 {2}a\.e2e-spec\.ts$/),
    ]);
    expect(lines).toContain('the 2 slowest of 3 test files and faults (55 s in all):');
    expect(lines.at(-1)).toBe('within the 40-minute budget (20.0 min to spare)');
  });

  it('warns when the run took longer than the budget', () => {
    const lines = summarize({ stages, files: [], elapsed: 41 * 60 });
    expect(lines.at(-1)).toMatch(
      /^warning: the test suite took 41\.0 min, over its 40-minute budget/,
    );
    expect(lines.some((l) => l.includes('slowest'))).toBe(false);
  });

  it('marks a failed file', () => {
    const lines = summarize({ stages: [], files, elapsed: 10 });
    expect(lines.find((l) => l.includes('b.int-spec.ts'))).toMatch(/\(failed\)$/);
  });
});
