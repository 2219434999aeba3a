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
      ...(parsed.success
        ? { agent: parsed.data.agent, label: parsed.data.label, version: parsed.data.version }
        : {}),
      endedAt: new Date(),
    };
  }
}
