import type { StoredNote, StoredTask, TaskRecord } from './bench-system.js';
import { checkPersistence } from './persistence-check.js';

describe('checkPersistence', () => {
  const record = (n: number): TaskRecord => ({
    taskId: `t${n}`,
    user: `u${n}`,
    answer: `17 * 23 = 391. Saved note n${n}: "391".`,
  });
  const records = [1, 2, 3].map(record);
  const stored = (
    tasks: [string, StoredTask][],
    notes: [string, StoredNote[]][] = [1, 2, 3].map((n) => [
      `u${n}`,
      [{ id: `n${n}`, content: '391' }],
    ]),
  ) => ({ tasks: new Map(tasks), notes: new Map(notes) });
  const complete = (n: number): [string, StoredTask] => [`t${n}`, { complete: true }];

  it('passes every task that is complete with one note holding the result', () => {
    const result = checkPersistence(records, stored([1, 2, 3].map(complete)), '391');
    expect(result).toEqual({ checked: 3, stored: 3, problems: [] });
  });

  it.each([
    ['missing', stored([complete(1), complete(2)]), /t3 \(user u3\): no stored thread\/run\/task/],
    [
      'not complete',
      stored([complete(1), complete(2), ['t3', { complete: false }]]),
      /t3 .*stored, but not complete/,
    ],
    [
      'answer changed',
      stored([complete(1), complete(2), ['t3', { complete: true, answer: 'other' }]]),
      /t3 .*stored answer differs from the streamed one \("other"\)/,
    ],
    [
      'note missing',
      stored([1, 2, 3].map(complete), [['u1', [{ id: 'n1', content: '391' }]]]),
      /t2 .*0 notes for its user \(expected 1\)/,
    ],
    [
      'note doubled',
      stored(
        [1, 2, 3].map(complete),
        [1, 2, 3].map((n) => [
          `u${n}`,
          [
            { id: `n${n}`, content: '391' },
            { id: `m${n}`, content: '391' },
          ],
        ]),
      ),
      /t1 .*2 notes for its user/,
    ],
    [
      'wrong content',
      stored(
        [1, 2, 3].map(complete),
        [1, 2, 3].map((n) => [`u${n}`, [{ id: `n${n}`, content: '392' }]]),
      ),
      /its note holds "392", not "391"/,
    ],
    [
      'another note',
      stored(
        [1, 2, 3].map(complete),
        [1, 2, 3].map((n) => [`u${n}`, [{ id: `x${n}`, content: '391' }]]),
      ),
      /the streamed answer does not name the stored note x1/,
    ],
  ])('reports a task whose state is %s', (_case, readBack, problem) => {
    const result = checkPersistence(records, readBack, '391');
    expect(result.stored).toBeLessThan(3);
    expect(result.problems.join('\n')).toMatch(problem);
  });
});
