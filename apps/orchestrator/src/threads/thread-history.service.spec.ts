import { fitHistory } from './thread-history.service.js';

describe('fitHistory', () => {
  const turn = (role: 'user' | 'assistant', content: string, tokens: number) => ({
    role,
    content,
    tokens,
    taskId: 't',
  });

  it('keeps the newest turns within the token budget, oldest first, never an answer without its question', () => {
    const newestFirst = [
      turn('assistant', 'a3', 5),
      turn('user', 'q3', 5),
      turn('assistant', 'a2', 5),
      turn('user', 'q2', 50),
      turn('assistant', 'a1', 5),
      turn('user', 'q1', 5),
    ];
    expect(fitHistory(newestFirst, 100)).toEqual(
      ['q1', 'a1', 'q2', 'a2', 'q3', 'a3'].map((c) => ({
        role: c.startsWith('q') ? 'user' : 'assistant',
        content: c,
      })),
    );
    // q2 does not fit: a2 would be orphaned, so it goes too.
    expect(fitHistory(newestFirst, 30)).toEqual([
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'a3' },
    ]);
    expect(fitHistory(newestFirst, 0)).toEqual([]);
  });
});
