import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, Evaluations, type Tasks } from '@switchboard/contracts';
import { type Logger, Metrics } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { RunTrace } from '../../replay/run-trace.js';
import type { EndedTask } from '../../tasks/index.js';
import type { RecordedTasks } from '../datasets/recorded-tasks.js';
import type { EndedFactsReader } from '../datasets/dataset-rules/ended-facts.reader.js';
import type { LlmJudge } from '../scorers/llm-judge.js';
import type { ScoreRepository } from '../scores/score.repository.js';
import { ScoreMetrics } from '../scores/score.metrics.js';
import { OnlineScoringObserver } from './online-scoring.observer.js';
import { ruleCopiesDeps } from '../../tenancy/tenant-rule.fakes.js';
import { ScoringRuleCopies } from './scoring-rule.copies.js';
import type { ScoringRuleRepository } from './scoring-rule.repository.js';

/** The rules as the observer reads them: through, as without copies. */
function copiesOf(rules: ScoringRuleRepository): ScoringRuleCopies {
  const { bus, config, logger } = ruleCopiesDeps();
  return new ScoringRuleCopies(rules, bus, config, logger);
}

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

function setup(rules: { filter: object; rate: number }[]) {
  const stored: unknown[] = [];
  const judged: unknown[] = [];
  const trace: RunTrace = {
    taskId: 't',
    blocked: false,
    recalled: [],
    entries: [],
    outcome: { status: 'completed', answer: '17 * 23 = 391' },
    tokens: 0,
    status: 'completed',
  };
  const registry = new Metrics('orchestrator', 'test');
  const metrics = new ScoreMetrics(registry);
  const sut = new OnlineScoringObserver(
    copiesOf({
      list: async () =>
        rules.map((r, i) => ({
          id: randomUUID(),
          view: Evaluations.ScoringRuleView.parse({
            name: `r${i}`,
            ...r,
            scorers: [
              { kind: 'regex', name: 'says-391', pattern: '391' },
              { kind: 'judge', name: 'right', rubric: 'Right?' },
            ],
            createdBy: 'alan',
            createdAt: new Date().toISOString(),
          }),
        })),
    } as unknown as ScoringRuleRepository),
    {
      factsOf: async (t: EndedTask) => ({
        taskId: t.submission.taskId,
        status: 'completed',
        userId: 'ann',
        tools: ['calculator'],
        agent: 'support',
        label: 'production',
        version: 1,
        endedAt: new Date(),
      }),
    } as unknown as EndedFactsReader,
    { trace: async () => trace } as unknown as RecordedTasks,
    {
      add: async (tenantId: string, s: object) => {
        stored.push({ tenantId, ...s });
        return s;
      },
    } as unknown as ScoreRepository,
    {
      score: async (spec: { name: string }, input: unknown) => {
        judged.push(input);
        return {
          name: spec.name,
          value: 0.9,
          scorerVersion: 'judge@1:x',
          reason: 'yes',
          cached: false,
        };
      },
    } as unknown as LlmJudge,
    metrics,
    { info: jest.fn(), warn: jest.fn() } as unknown as Logger,
  );
  const task: EndedTask = {
    submission: { taskId: randomUUID(), actor: ann } as Tasks.TaskSubmission,
    text: 'what is 17 * 23',
    outcome: { status: 'completed', result: '17 * 23 = 391' },
  };
  return { sut, stored, judged, task, registry };
}

describe(OnlineScoringObserver.name, () => {
  it('scores a matching task off its path with code scorers and the judge, recorded on the task', async () => {
    const { sut, stored, judged, task, registry } = setup([
      { filter: { agent: 'support' }, rate: 1 },
    ]);
    await sut.ended(task);
    expect(stored).toEqual([]); // the task's end did not wait for it
    await sut.work.settled();
    expect(stored).toEqual([
      expect.objectContaining({
        tenantId: 'acme',
        taskId: task.submission.taskId,
        name: 'says-391',
        value: 1,
        source: 'code',
      }),
      expect.objectContaining({ name: 'right', value: 0.9, source: 'judge', reason: 'yes' }),
    ]);
    expect(judged).toEqual([
      { task: 'what is 17 * 23', answer: '17 * 23 = 391', expected: undefined },
    ]);
    // in the metrics by the version the task ran
    const counted = (await registry.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'sb_eval_scores_total',
    );
    expect(counted?.values.map((v) => v.labels)).toEqual([
      expect.objectContaining({ agent: 'support', version: '1', name: 'says-391', source: 'code' }),
      expect.objectContaining({ agent: 'support', version: '1', name: 'right', source: 'judge' }),
    ]);
  });

  it('leaves a task its filter or its sample leaves out', async () => {
    for (const rule of [
      { filter: { agent: 'sales' }, rate: 1 },
      { filter: { tool: 'notes.add' }, rate: 1 },
      { filter: {}, rate: 0 },
    ]) {
      const { sut, stored, task } = setup([rule]);
      await sut.ended(task);
      await sut.work.settled();
      expect([rule, stored]).toEqual([rule, []]);
    }
  });
});
