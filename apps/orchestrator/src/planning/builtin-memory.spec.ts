import type { Tools } from '@switchboard/contracts';
import { planTask } from './builtin-planner.js';
import { factsOf, withRecalledFacts } from './builtin-memory.js';

const tool = (name: string): Tools.ManifestTool => ({
  name,
  title: name,
  description: name,
  provider: 'x',
  inputSchema: { type: 'object' },
  idempotent: true,
});
const WITH_MEMORY = ['calculator', 'notes.add', 'memory.remember', 'memory.recall'].map(tool);
const WITHOUT_MEMORY = ['calculator', 'notes.add'].map(tool);

describe('the built-in planner and long-term memory', () => {
  it('stores "remember that …" in memory when memory.remember is offered, as a note otherwise', () => {
    expect(planTask('remember that my favourite number is 7', WITH_MEMORY, [])).toEqual([
      expect.objectContaining({
        target: 'memory.remember',
        input: { content: 'my favourite number is 7' },
      }),
    ]);
    expect(planTask('remember that my favourite number is 7', WITHOUT_MEMORY, [])).toEqual([
      expect.objectContaining({ target: 'notes.add' }),
    ]);
  });

  it('plans "my <thing>" with the value recalled for it', () => {
    const recalled = [{ content: 'my favourite number is 7' }, { content: 'my cat is Tom' }];
    expect(
      planTask('what is my favourite number times 6?', WITH_MEMORY, [], undefined, recalled),
    ).toEqual([expect.objectContaining({ target: 'calculator', input: { expression: '7 * 6' } })]);
  });

  it('refuses "my <thing>" nothing was recalled for, as any request it does not understand', () => {
    expect(() => planTask('what is my favourite number times 6', WITH_MEMORY, [])).toThrow(
      /does not understand "what is my favourite number times 6"/,
    );
  });

  it('keeps the best (first) value of a thing recalled twice and prefers the longest thing', () => {
    const facts = factsOf([
      { content: 'My favourite  number is 8.' },
      { content: 'my favourite number is 7' },
      { content: 'my number is 1' },
      { content: 'a sentence that is no fact' },
    ]);
    expect([...facts]).toEqual([
      ['favourite number', '8'],
      ['number', '1'],
    ]);
    expect(withRecalledFacts('my favourite number plus my number', facts)).toBe('8 plus 1');
    expect(withRecalledFacts('nothing personal', facts)).toBe('nothing personal');
  });
});
