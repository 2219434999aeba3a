import { describe, expect, it } from '@jest/globals';
import type { RunTrace } from '../../../replay/run-trace.js';
import { expectedOf } from './read-experiment.use-case.js';

const recorded: RunTrace = {
  taskId: 'p',
  blocked: false,
  recalled: [],
  entries: [
    { at: 'round', round: 1, decision: { kind: 'actions', actions: [] } },
    {
      at: 'step',
      step: 1,
      round: 1,
      action: { kind: 'tool', target: 'calculator', input: { expression: '17 * 23' } },
      result: { status: 'completed', output: 391 },
    },
  ],
  outcome: { status: 'completed', answer: '391' },
  tokens: 0,
  status: 'completed',
};

describe('what an experiment scores a run against', () => {
  it("takes the recorded task's answer and tool calls for what the item does not expect", () => {
    expect(expectedOf({}, recorded)).toEqual({
      answer: '391',
      trajectory: [{ tool: 'calculator', args: { expression: '17 * 23' } }],
    });
  });

  it("keeps the item's own expectations over the record's", () => {
    const own = { answer: '400', trajectory: [{ tool: 'notes.add' }] };
    expect(expectedOf(own, recorded)).toEqual(own);
    expect(expectedOf({ schema: { type: 'object' } }, undefined)).toEqual({
      schema: { type: 'object' },
    });
  });
});
