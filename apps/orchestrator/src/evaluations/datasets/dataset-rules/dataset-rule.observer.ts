import { Inject, Injectable } from '@nestjs/common';
import { Agents, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { PrismaService } from '../../../prisma/prisma.service.js';
import type { EndedTask, TaskObserver } from '../../../tasks/index.js';
import { DatasetRepository } from '../dataset.repository.js';
import { type EndedFacts, ruleMatches, sampled } from './dataset-rule.js';

/**
 * Adds a live task that ended to each dataset of its tenant whose rule it matches and whose sample it
 * falls in (docs/evaluations.md). Off the task's path: the end of the task does not wait for it, and
 * its failure is only logged. Replays and forks (experiments among them) are told to no observer, so
 * a dataset never collects its own experiments.
 */
@Injectable()
export class DatasetRuleObserver implements TaskObserver {
  /** The adds under way, so a test (or shutdown) can wait for them. */
  readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly datasets: DatasetRepository,
    private readonly prisma: PrismaService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  ended(task: EndedTask): Promise<void> {
    const p = this.collect(task)
      .catch((e: unknown) =>
        this.logger.warn({ err: e, taskId: task.submission.taskId }, 'dataset rule failed'),
      )
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
    return Promise.resolve();
  }

  /** Every add started so far, ended. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async collect(task: EndedTask): Promise<void> {
    const { submission } = task;
    const ruled = await this.datasets.ruled(tenantOf(submission.actor));
    if (!ruled.length) return;
    const facts = await this.factsOf(task);
    for (const d of ruled) {
      if (d.items >= d.rule.maxItems) continue;
      if (!ruleMatches(d.rule, facts) || !sampled(d.id, facts.taskId, d.rule.rate)) continue;
      const added = await this.datasets.addItems(
        d.id,
        [{ taskId: facts.taskId }],
        'rule',
        d.rule.maxItems,
      );
      if (added)
        this.logger.info({ dataset: d.name, taskId: facts.taskId }, 'dataset rule added a task');
    }
  }

  private async factsOf({ submission, outcome }: EndedTask): Promise<EndedFacts> {
    const [steps, stamp] = await Promise.all([
      this.prisma.step.findMany({
        where: { taskId: submission.taskId, kind: 'tool' },
        select: { target: true },
      }),
      this.prisma.agentTaskStamp.findUnique({
        where: { taskId: submission.taskId },
        select: { stamp: true },
      }),
    ]);
    const parsed = Agents.AgentStamp.safeParse(stamp?.stamp);
    return {
      taskId: submission.taskId,
      status: outcome.status,
      userId: submission.actor.userId,
      tools: steps.map((s) => s.target),
      ...(parsed.success ? { agent: parsed.data.agent, label: parsed.data.label } : {}),
      endedAt: new Date(),
    };
  }
}
