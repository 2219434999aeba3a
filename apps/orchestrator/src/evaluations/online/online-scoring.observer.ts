import { Inject, Injectable } from '@nestjs/common';
import { tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { EndedTask } from '../../tasks/index.js';
import { RecordedTasks } from '../datasets/recorded-tasks.js';
import { ruleMatches, sampled } from '../datasets/dataset-rules/dataset-rule.js';
import { EndedFactsReader } from '../datasets/dataset-rules/ended-facts.reader.js';
import { runFactsOf } from '../experiments/experiment-result.js';
import { scoreRun } from '../experiments/score-run.js';
import { OffPathObserver } from '../off-path.observer.js';
import { scorerName } from '../scorers/code-scorers.js';
import { LlmJudge } from '../scorers/llm-judge.js';
import { ScoreMetrics } from '../scores/score.metrics.js';
import { ScoreRepository } from '../scores/score.repository.js';
import { ScoringRuleCopies } from './scoring-rule.copies.js';

/**
 * Online scoring (docs/evaluations.md): a live task that ended is scored by each rule of its tenant
 * it matches and whose sample (by a hash of the rule and the task) it falls in — off its path, its
 * end never waiting for a scorer or the judge. Each score is recorded on the task, as its owner reads
 * it; replays and forks are told to no observer, so experiments are not scored twice.
 */
@Injectable()
export class OnlineScoringObserver extends OffPathObserver {
  constructor(
    private readonly rules: ScoringRuleCopies,
    private readonly facts: EndedFactsReader,
    private readonly recorded: RecordedTasks,
    private readonly scores: ScoreRepository,
    private readonly judge: LlmJudge,
    private readonly metrics: ScoreMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(logger, 'online scoring failed');
  }

  protected async onEnded(task: EndedTask): Promise<void> {
    const { actor, taskId } = task.submission;
    const rules = await this.rules.get(tenantOf(actor));
    if (!rules.length) return;
    const facts = await this.facts.factsOf(task);
    const due = rules.filter(
      (r) =>
        ruleMatches({ filter: r.view.filter, rate: r.view.rate, maxItems: 1 }, facts) &&
        sampled(r.id, taskId, r.view.rate),
    );
    if (!due.length) return;
    const trace = await this.recorded.trace(taskId, actor);
    if (!trace) return;
    for (const rule of due) {
      const { given } = await scoreRun(
        rule.view.scorers,
        runFactsOf(trace, undefined),
        rule.view.expectations ?? {},
        task.text,
        (spec, input) => this.judge.score(spec, input, actor, taskId),
      );
      for (const g of given) {
        const judged = rule.view.scorers.find((s) => scorerName(s) === g.name)?.kind === 'judge';
        await this.scores.add(tenantOf(actor), {
          taskId,
          name: g.name,
          value: g.value,
          source: judged ? 'judge' : 'code',
          scorerVersion: g.scorerVersion,
          ...(g.reason ? { reason: g.reason } : {}),
        });
        this.metrics.observe([{ ...g, source: judged ? 'judge' : 'code' }], facts);
      }
      this.logger.info(
        {
          rule: rule.view.name,
          taskId,
          agent: facts.agent,
          version: facts.version,
          scores: given.length,
        },
        'online scoring scored a task',
      );
    }
  }
}
