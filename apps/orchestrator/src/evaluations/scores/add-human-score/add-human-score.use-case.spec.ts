import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { RecordedTasks } from '../../datasets/recorded-tasks.js';
import type { EndedFactsReader } from '../../datasets/dataset-rules/ended-facts.reader.js';
import type { ScoreMetrics } from '../score.metrics.js';
import type { ScoreRepository } from '../score.repository.js';
import { AddHumanScoreUseCase, HUMAN_SCORER_VERSION } from './add-human-score.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const MINE = randomUUID();

describe(AddHumanScoreUseCase.name, () => {
  it('records a person’s score of a task they may read; another’s is NOT_FOUND, nothing stored', async () => {
    const stored: unknown[] = [];
    const counted: unknown[] = [];
    const sut = new AddHumanScoreUseCase(
      {
        add: async (tenantId: string, s: object) => {
          stored.push({ tenantId, ...s });
          return s;
        },
      } as unknown as ScoreRepository,
      { trace: async (id: string) => (id === MINE ? {} : undefined) } as unknown as RecordedTasks,
      { versionOf: async () => ({ agent: 'support', version: 3 }) } as unknown as EndedFactsReader,
      { observe: (s: unknown, v: unknown) => void counted.push([s, v]) } as unknown as ScoreMetrics,
    );
    await sut.execute({ taskId: MINE, name: 'helpful', value: true, reason: 'clear' }, ann);
    expect(stored).toEqual([
      {
        tenantId: 'acme',
        taskId: MINE,
        name: 'helpful',
        value: true,
        source: 'human',
        scorerVersion: HUMAN_SCORER_VERSION,
        reason: 'clear',
        userId: 'ann',
      },
    ]);
    const other = await sut
      .execute({ taskId: randomUUID(), name: 'helpful', value: 1 }, ann)
      .catch((e: unknown) => e);
    expect(isDomainError(other) && other.code).toBe('NOT_FOUND');
    expect(stored).toHaveLength(1);
    // counted once, by the version the task ran
    expect(counted).toEqual([
      [
        [expect.objectContaining({ name: 'helpful', source: 'human' })],
        { agent: 'support', version: 3 },
      ],
    ]);
  });
});
