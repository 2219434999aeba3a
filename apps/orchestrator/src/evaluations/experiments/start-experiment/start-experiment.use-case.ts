import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, type Evaluations, tenantOf } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { AgentRepository } from '../../../agent-versions/agent.repository.js';
import { StartBatchUseCase } from '../../../replay/batches/start-batch/start-batch.use-case.js';
import { DatasetRepository } from '../../datasets/dataset.repository.js';
import { datasetNotFound, invalidField } from '../../evaluation-errors.js';
import { ExperimentRepository } from '../experiment.repository.js';
import { ReadExperimentUseCase } from '../read-experiment/read-experiment.use-case.js';
import { LiveToolsCheck } from './live-tools.check.js';

/**
 * The most items an experiment runs: a dataset's most (a rule's `maxItems`). Its batches hold every
 * item as a row and the sweep starts them by the concurrency, so the size costs rows, not memory.
 */
export const EXPERIMENT_MAX_ITEMS = 10_000;

/**
 * Starts an experiment (docs/evaluations.md): the dataset's tasks run again as a replay batch forked
 * onto the candidate version — pinned by number, so a label moved meanwhile changes nothing — whose
 * tool calls are answered from each task's record and never executed; with a baseline, a second
 * batch onto the baseline version over the same items.
 */
@Injectable()
export class StartExperimentUseCase {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly agents: AgentRepository,
    private readonly batches: StartBatchUseCase,
    private readonly experiments: ExperimentRepository,
    private readonly reader: ReadExperimentUseCase,
    private readonly tools: LiveToolsCheck,
  ) {}

  async execute(
    body: Evaluations.ExperimentBody,
    actor: Actor,
    correlationId: string,
  ): Promise<Evaluations.ExperimentView> {
    const tenantId = tenantOf(actor);
    const dataset = await this.datasets.get(tenantId, body.dataset);
    if (!dataset) throw datasetNotFound(body.dataset);
    const items = itemsOf(dataset.view.items);
    if (!items.length) throw invalidField('dataset', `dataset ${body.dataset} has no items`);
    if (items.length > EXPERIMENT_MAX_ITEMS)
      throw invalidField('dataset', `an experiment runs at most ${EXPERIMENT_MAX_ITEMS} items`);
    if (body.liveTools?.length) await this.tools.check(body.liveTools, actor);
    const agent = await this.agents.find(tenantId, body.agent.name);
    if (!agent) throw invalidField('agent.name', `agent ${body.agent.name} not found`);
    const candidate = await this.pick(agent.id, body.agent, 'agent');
    const baseline = body.baseline
      ? await this.pick(agent.id, body.baseline, 'baseline')
      : undefined;
    const run = async (v: Agents.AgentVersionView) =>
      (
        await this.batches.executeItems(
          {
            changes: {
              agent: { name: agent.view.agent, version: v.version },
              ...(body.liveTools?.length ? { liveTools: body.liveTools } : {}),
            },
            concurrency: body.concurrency,
          },
          items,
          actor,
          correlationId,
        )
      ).batchId;
    const batchId = await run(candidate);
    const baselineBatchId = baseline ? await run(baseline) : null;
    const row = await this.experiments.create({
      id: randomUUID(),
      tenantId,
      datasetId: dataset.id,
      datasetVersion: dataset.view.version,
      agent: agent.view.agent,
      versionId: candidate.versionId,
      version: candidate.version,
      baselineVersionId: baseline?.versionId ?? null,
      baselineVersion: baseline?.version ?? null,
      scorers: body.scorers,
      liveTools: body.liveTools ?? [],
      batchId,
      baselineBatchId,
      createdBy: actor.userId,
      createdByRole: actor.role,
    });
    return this.reader.viewOf(row, actor, dataset.view);
  }

  private async pick(
    agentId: string,
    choice: { version?: number | undefined; label?: string | undefined },
    field: string,
  ): Promise<Agents.AgentVersionView> {
    const v =
      choice.version !== undefined
        ? await this.agents.version(agentId, choice.version)
        : await this.agents.labelled(agentId, choice.label ?? 'production');
    if (!v)
      throw invalidField(
        choice.version !== undefined ? `${field}.version` : `${field}.label`,
        choice.version !== undefined
          ? `no version ${choice.version}`
          : `no label ${choice.label ?? 'production'}`,
      );
    return v;
  }
}

/** The dataset's items to run, each task once per starting step (in the dataset's order). */
export function itemsOf(
  items: readonly Evaluations.DatasetItemView[],
): { taskId: string; step?: number }[] {
  const seen = new Set<string>();
  return items.flatMap((i) => {
    const key = `${i.taskId} ${i.step ?? 0}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ taskId: i.taskId, ...(i.step ? { step: i.step } : {}) }];
  });
}
