import { Injectable } from '@nestjs/common';
import { Evaluations } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../../prisma/prisma.service.js';

/** Scores of tasks (docs/evaluations.md), read and written in one tenant. */
@Injectable()
export class ScoreRepository {
  constructor(private readonly prisma: PrismaService) {}

  async add(
    tenantId: string,
    s: Omit<Evaluations.ScoreView, 'createdAt'>,
  ): Promise<Evaluations.ScoreView> {
    const row = await this.prisma.score.create({
      data: {
        id: randomUUID(),
        tenantId,
        taskId: s.taskId,
        step: s.step ?? 0,
        name: s.name,
        value: s.value,
        source: s.source,
        scorerVersion: s.scorerVersion,
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.userId ? { userId: s.userId } : {}),
        ...(s.experimentId ? { experimentId: s.experimentId } : {}),
      },
    });
    return viewOf(row);
  }

  async ofTask(tenantId: string, taskId: string): Promise<Evaluations.ScoreView[]> {
    const rows = await this.prisma.score.findMany({
      where: { tenantId, taskId },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(viewOf);
  }
}

function viewOf(r: {
  taskId: string;
  step: number;
  name: string;
  value: unknown;
  source: string;
  scorerVersion: string;
  reason: string | null;
  userId: string | null;
  experimentId: string | null;
  createdAt: Date;
}): Evaluations.ScoreView {
  const value = Evaluations.ScoreValue.safeParse(r.value);
  const source = Evaluations.ScoreSource.safeParse(r.source);
  return {
    taskId: r.taskId,
    ...(r.step ? { step: r.step } : {}),
    name: r.name,
    value: value.success ? value.data : String(r.value),
    source: source.success ? source.data : 'code',
    scorerVersion: r.scorerVersion,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.userId ? { userId: r.userId } : {}),
    ...(r.experimentId ? { experimentId: r.experimentId } : {}),
    createdAt: r.createdAt.toISOString(),
  };
}
