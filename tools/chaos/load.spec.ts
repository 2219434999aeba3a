import { describe, expect, it } from '@jest/globals';
import { taskFor } from './load.js';

describe('taskFor (the load)', () => {
  it('sends two demo tasks, then a delegation, alternating the researcher and the writer', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => taskFor(n).kind)).toEqual([
      'demo',
      'demo',
      'researcher',
      'demo',
      'demo',
      'writer',
      'demo',
    ]);
  });

  it('gives each demo task its own numbers, and the note it must store', () => {
    const t = taskFor(4);
    expect(t.text).toBe('what is 15 * 17, then save the result as a note');
    expect(t.expectedNote).toBe(String(15 * 17));
  });

  it('asks the agents about a topic their reply (and so the note) names', () => {
    expect(taskFor(3)).toEqual({
      kind: 'researcher',
      text: 'ask the researcher about NATS JetStream, then save the result as a note',
      expectedNote: 'NATS JetStream',
    });
    expect(taskFor(6).text).toBe(
      'have the writer draft a summary of NATS JetStream, then save the result as a note',
    );
  });
});
