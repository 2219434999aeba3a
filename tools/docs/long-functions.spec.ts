import { describe, expect, it } from '@jest/globals';
import { longFunctionsIn, longFunctionsSection, withLongFunctions } from './long-functions.js';

const DISABLE = '// eslint-disable-next-line max-lines-per-function -- a reason';

const source = [
  DISABLE,
  'export function planned(a: number) {',
  '  // a comment counts',
  '',
  '  return a;',
  '}',
  'function unmarked() {',
  '  return 1;',
  '}',
  'class Controller {',
  `  ${DISABLE}`,
  '  @Get()',
  '  async stream(): Promise<void> {',
  '    await Promise.resolve();',
  '  }',
  '}',
  DISABLE,
  'const handle = (x: string) => {',
  '  return x;',
  '};',
].join('\n');

describe('the generated long functions table', () => {
  it('finds each marked function with its name and its lines as the lint counts them', () => {
    expect(longFunctionsIn('a.ts', source)).toEqual([
      { file: 'a.ts', name: 'planned', lines: 5 },
      { file: 'a.ts', name: 'stream', lines: 4 },
      { file: 'a.ts', name: 'handle', lines: 3 },
    ]);
  });

  it('replaces only what lies between its markers, and refuses a page without them', () => {
    const [start, , , , ...rest] = longFunctionsSection([]).split('\n');
    const end = rest.at(-1)!;
    const doc = `# A\n\n${start}\n| stale | row | 1 |\n${end}\n\n## B\n`;
    const out = withLongFunctions(doc, [{ file: 'a.ts', name: 'f', lines: 81 }]);
    expect(out).not.toContain('stale');
    expect(out).toContain('| `a.ts` | `f` | 81 |');
    expect(out.endsWith('\n\n## B\n')).toBe(true);
    expect(() => withLongFunctions('# none\n', [])).toThrow(/long functions markers are missing/);
  });
});
