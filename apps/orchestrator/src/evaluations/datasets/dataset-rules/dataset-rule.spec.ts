import { describe, expect, it } from '@jest/globals';
import { Evaluations } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { type EndedFacts, ruleMatches, sampled } from './dataset-rule.js';

const task: EndedFacts = {
  taskId: randomUUID(),
  status: 'completed',
  userId: 'ann',
  tools: ['calculator', 'notes.add'],
  agent: 'support',
  label: 'production',
  endedAt: new Date('2026-11-27T12:00:00Z'),
};
const rule = (filter: object) => Evaluations.DatasetRule.parse({ filter });

describe('a dataset rule', () => {
  it('matches every ended task with an empty filter', () => {
    expect(ruleMatches(rule({}), task)).toBe(true);
  });

  it('holds each condition given: tool, outcome, agent, label, user, time', () => {
    const cases: [object, boolean][] = [
      [{ tool: 'notes.add' }, true],
      [{ tool: 'email.send' }, false],
      [{ outcome: ['failed', 'cancelled'] }, false],
      [{ outcome: ['completed'] }, true],
      [{ agent: 'support', label: 'production' }, true],
      [{ agent: 'support', label: 'staging' }, false],
      [{ agent: 'sales' }, false],
      [{ userId: 'bob' }, false],
      [{ from: '2026-11-27T00:00:00Z', to: '2026-11-28T00:00:00Z' }, true],
      [{ from: '2026-11-27T13:00:00Z' }, false],
      [{ to: '2026-11-27T11:00:00Z' }, false],
    ];
    for (const [filter, want] of cases)
      expect([filter, ruleMatches(rule(filter), task)]).toEqual([filter, want]);
  });

  it('does not match a task of no agent when it names an agent', () => {
    expect(ruleMatches(rule({ agent: 'support' }), { ...task, agent: undefined })).toBe(false);
  });

  it('samples by dataset and task: the same answer every time, near the rate over many', () => {
    const dataset = randomUUID();
    const ids = Array.from({ length: 2_000 }, () => randomUUID());
    const picked = ids.filter((id) => sampled(dataset, id, 0.1));
    expect(picked.length).toBeGreaterThan(120);
    expect(picked.length).toBeLessThan(280);
    expect(ids.filter((id) => sampled(dataset, id, 0.1))).toEqual(picked);
    expect(ids.every((id) => sampled(dataset, id, 1))).toBe(true);
    expect(ids.some((id) => sampled(dataset, id, 0))).toBe(false);
  });

  it('refuses a rate out of range, naming the field', () => {
    const bad = Evaluations.DatasetRule.safeParse({ rate: 1.5 });
    expect(bad.error?.issues[0]?.path).toEqual(['rate']);
  });
});
