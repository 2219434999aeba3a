import { Injectable } from '@nestjs/common';
import { Evaluations } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { Experiment } from '../../generated/prisma/client.js';
import { PrismaService } from '../../prisma/prisma.service.js';

/** What a gate reads of a stored result (the rest of it may grow without changing the gate). */
const Verdict = Evaluations.ExperimentView.pick({ passed: true }).extend({
  candidate: Evaluations.ExperimentAggregate.pick({ mean: true }),
});

/** An experiment as stored: what it runs, its two batches, and its result once scored. */
export type ExperimentRow = Experiment;

/** A score to store with an experiment's result. */
export interface NewScore {
  taskId: string;
  name: string;
  value: Evaluations.ScoreValue;
  source: 'code' | 'judge' | 'human';
  scorerVersion: string;
  reason?: string | undefined;
  /** The agent version whose run it scores (for the metrics; the run's stamp names it too). */
  version?: number | undefined;
}

/**
 * Experiments and the scores they give (docs/evaluations.md), each read in one tenant. A result is
 * stored once: the first replica to score it once both batches ended (its scoring sweep, or a
 * read's fallback) stores it with its scores, in one transaction conditional on the row still
 * running.
 */
@Injectable()
export class ExperimentRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(
    row: Omit<ExperimentRow, 'createdAt' | 'result' | 'status' | 'liveTools'> & {
      liveTools?: string[];
    },
  ): Promise<ExperimentRow> {
    return this.prisma.experiment.create({
      data: { ...row, scorers: row.scorers as object, status: 'running' },
    });
  }

  get(tenantId: string, id: string): Promise<ExperimentRow | null> {
    return this.prisma.experiment.findFirst({ where: { id, tenantId } });
  }

  /** Experiments of every tenant not scored yet, oldest first (the scoring sweep's due list). */
  unscored(take: number): Promise<ExperimentRow[]> {
    return this.prisma.experiment.findMany({
      where: { status: 'running' },
      orderBy: { createdAt: 'asc' },
      take,
    });
  }

  /** The newest experiments of a tenant (of one creator when given), with their datasets' names. */
  async list(
    tenantId: string,
    createdBy: string | undefined,
    take: number,
  ): Promise<{ row: ExperimentRow; dataset: string | undefined }[]> {
    const rows = await this.prisma.experiment.findMany({
      where: { tenantId, ...(createdBy ? { createdBy } : {}) },
      orderBy: { createdAt: 'desc' },
      take,
    });
    const datasets = await this.prisma.dataset.findMany({
      where: { tenantId, id: { in: [...new Set(rows.map((r) => r.datasetId))] } },
      select: { id: true, name: true },
    });
    const names = new Map(datasets.map((d) => [d.id, d.name]));
    return rows.map((row) => ({ row, dataset: names.get(row.datasetId) }));
  }

  /** Stores the result and its scores; false when another replica stored it first. */
  async complete(
    row: Pick<ExperimentRow, 'id' | 'tenantId'>,
    result: Evaluations.ExperimentView,
    scores: readonly NewScore[],
  ): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.experiment.updateMany({
        where: { id: row.id, status: 'running' },
        data: { status: 'completed', result: result as object },
      });
      if (!count) return false;
      await tx.score.createMany({
        data: scores.map((s) => ({
          id: randomUUID(),
          tenantId: row.tenantId,
          experimentId: row.id,
          taskId: s.taskId,
          name: s.name,
          value: s.value,
          source: s.source,
          scorerVersion: s.scorerVersion,
          ...(s.reason ? { reason: s.reason } : {}),
        })),
      });
      return true;
    });
  }

  /**
   * Whether a version has a passing experiment on a dataset (a protected label's condition): its
   * result passed against its baseline, or, with a threshold, its mean reached it.
   */
  async passing(
    tenantId: string,
    versionId: string,
    datasetId: string,
    threshold?: number,
  ): Promise<boolean> {
    const rows = await this.prisma.experiment.findMany({
      where: { tenantId, versionId, datasetId, status: 'completed' },
      select: { result: true },
    });
    return rows.some((r) => {
      const v = Verdict.safeParse(r.result);
      if (!v.success) return false;
      return threshold !== undefined
        ? (v.data.candidate.mean ?? 0) >= threshold
        : v.data.passed === true;
    });
  }
}
