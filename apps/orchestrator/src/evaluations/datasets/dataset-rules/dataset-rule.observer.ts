import { Inject, Injectable } from '@nestjs/common';
import { tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { EndedTask } from '../../../tasks/index.js';
import { OffPathObserver } from '../../off-path.observer.js';
import { DatasetRepository } from '../dataset.repository.js';
import { ruleMatches, sampled } from './dataset-rule.js';
import { EndedFactsReader } from './ended-facts.reader.js';
import { RuledDatasetCopies } from './ruled-dataset.copies.js';

/**
 * Adds a live task that ended to each dataset of its tenant whose rule it matches and whose sample it
 * falls in (docs/evaluations.md). Off the task's path: the end of the task does not wait for it, and
 * its failure is only logged. Replays and forks (experiments among them) are told to no observer, so
 * a dataset never collects its own experiments.
 */
@Injectable()
export class DatasetRuleObserver extends OffPathObserver {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly facts: EndedFactsReader,
    private readonly ruledCopies: RuledDatasetCopies,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super(logger, 'dataset rule failed');
  }

  protected async onEnded(task: EndedTask): Promise<void> {
    const { submission } = task;
    const ruled = await this.ruledCopies.get(tenantOf(submission.actor));
    if (!ruled.length) return;
    const facts = await this.facts.factsOf(task);
    for (const d of ruled) {
      if (d.items >= d.rule.maxItems) continue;
      if (!ruleMatches(d.rule, facts) || !sampled(d.id, facts.taskId, d.rule.rate)) continue;
      const added = await this.datasets.addItems(
        d.id,
        [{ taskId: facts.taskId }],
        'rule',
        d.rule.maxItems,
      );
      d.items += added;
      if (added)
        this.logger.info({ dataset: d.name, taskId: facts.taskId }, 'dataset rule added a task');
    }
  }
}
