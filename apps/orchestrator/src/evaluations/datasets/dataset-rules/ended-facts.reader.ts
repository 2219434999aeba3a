import { Injectable } from '@nestjs/common';
import { Agents } from '@switchboard/contracts';
import { PrismaService } from '../../../prisma/prisma.service.js';
import type { EndedTask } from '../../../tasks/index.js';
import type { EndedFacts } from './dataset-rule.js';

/** What a rule (a dataset's, an online scoring rule's) looks at of a task that ended. */
@Injectable()
export class EndedFactsReader {
  constructor(private readonly prisma: PrismaService) {}

  async factsOf({ submission, outcome }: EndedTask): Promise<EndedFacts> {
    const [steps, stamp] = await Promise.all([
      this.prisma.step.findMany({
        where: { taskId: submission.taskId, kind: 'tool' },
        select: { target: true },
      }),
      this.stampOf(submission.taskId),
    ]);
    return {
      taskId: submission.taskId,
      status: outcome.status,
      userId: submission.actor.userId,
      tools: steps.map((s) => s.target),
      ...(stamp ? { agent: stamp.agent, label: stamp.label, version: stamp.version } : {}),
      endedAt: new Date(),
    };
  }

  /** The agent version a task ran, by its version stamp (none: it ran no agent version). */
  async versionOf(taskId: string): Promise<{ agent?: string; version?: number }> {
    const stamp = await this.stampOf(taskId);
    return stamp ? { agent: stamp.agent, version: stamp.version } : {};
  }

  private async stampOf(taskId: string): Promise<Agents.AgentStamp | undefined> {
    const row = await this.prisma.agentTaskStamp.findUnique({
      where: { taskId },
      select: { stamp: true },
    });
    const parsed = Agents.AgentStamp.safeParse(row?.stamp);
    return parsed.success ? parsed.data : undefined;
  }
}
