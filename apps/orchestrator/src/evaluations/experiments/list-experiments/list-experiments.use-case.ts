import { Injectable } from '@nestjs/common';
import { type Actor, Evaluations, isAdmin, tenantOf } from '@switchboard/contracts';
import { ExperimentRepository, type ExperimentRow } from '../experiment.repository.js';

/** How many experiments a list answers: the newest. */
export const EXPERIMENT_LIST_LIMIT = 100;

/**
 * The experiments a caller may read (docs/evaluations.md), newest first: as a read of one, its own,
 * or (admins) its tenant's. Each as stored: its verdict once a read has scored it.
 */
@Injectable()
export class ListExperimentsUseCase {
  constructor(private readonly experiments: ExperimentRepository) {}

  async execute(actor: Actor): Promise<{ experiments: Evaluations.ExperimentSummary[] }> {
    const rows = await this.experiments.list(
      tenantOf(actor),
      isAdmin(actor) ? undefined : actor.userId,
      EXPERIMENT_LIST_LIMIT,
    );
    return { experiments: rows.map(({ row, dataset }) => summaryOf(row, dataset)) };
  }
}

/** One experiment in a list: what it ran, and from its stored result the verdict. */
export function summaryOf(
  row: ExperimentRow,
  dataset: string | undefined,
): Evaluations.ExperimentSummary {
  const result =
    row.status === 'completed' ? Evaluations.ExperimentView.safeParse(row.result) : undefined;
  const r = result?.success ? result.data : undefined;
  return {
    experimentId: row.id,
    status: r ? 'completed' : 'running',
    dataset: dataset ?? '(deleted)',
    datasetVersion: row.datasetVersion,
    agent: row.agent,
    version: row.version,
    ...(row.baselineVersion !== null ? { baselineVersion: row.baselineVersion } : {}),
    ...(r ? { items: r.candidate.items } : {}),
    ...(r?.candidate.mean !== undefined ? { mean: r.candidate.mean } : {}),
    ...(r?.pairwise ? { pairwise: r.pairwise } : {}),
    ...(r?.passed !== undefined ? { passed: r.passed } : {}),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
