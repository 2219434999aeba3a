import { describe, expect, it } from '@jest/globals';
import { Tasks } from '@switchboard/contracts';
import { runTaskIdOf } from '../run-ids.js';
import { originOf } from './advance-batches.use-case.js';

const BATCH = '0b0e6c36-1f2a-4c1e-9f4e-2d5b6c7d8e9f';
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

describe('how a batch runs a task again', () => {
  it('replays it when only the guardrails change (a what-if: nothing is called)', () => {
    const guardrails = { disallowedKeywords: ['merger'], disallowedPatterns: [] };
    const origin = originOf({ id: BATCH, mode: 'replay', changes: { guardrails } }, TASK);
    expect(origin).toEqual({ kind: 'replay', of: TASK, batchId: BATCH, edits: { guardrails } });
    expect(Tasks.RunOrigin.safeParse(origin).success).toBe(true);
    expect(originOf({ id: BATCH, mode: 'replay', changes: {} }, TASK)).toEqual({
      kind: 'replay',
      of: TASK,
      batchId: BATCH,
    });
  });

  it('forks it from its first round with the new model on the LLM planner, tools answered from the record', () => {
    const origin = originOf(
      { id: BATCH, mode: 'fork', changes: { model: 'model-b', systemPrompt: 'Be brief.' } },
      TASK,
    );
    expect(origin).toEqual({
      kind: 'fork',
      of: TASK,
      batchId: BATCH,
      from: { round: 1 },
      edits: { model: 'model-b', planner: 'llm', systemPrompt: 'Be brief.', tools: 'recorded' },
    });
    expect(Tasks.RunOrigin.safeParse(origin).success).toBe(true);
  });

  it("names each item's run by the batch and its place: the same id on every replica, another per item", () => {
    expect(runTaskIdOf(BATCH, 0)).toBe(runTaskIdOf(BATCH, 0));
    expect(runTaskIdOf(BATCH, 0)).not.toBe(runTaskIdOf(BATCH, 1));
    expect(Tasks.TaskId.safeParse(runTaskIdOf(BATCH, 7)).success).toBe(true);
  });
});
