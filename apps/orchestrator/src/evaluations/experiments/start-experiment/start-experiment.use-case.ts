import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, type Evaluations, tenantOf } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { AgentRepository } from '../../../agent-versions/agent.repository.js';
import { StartBatchUseCase } from '../../../replay/batches/start-batch/start-batch.use-case.js';
import { DatasetRepository } from '../../datasets/dataset.repository.js';
import { datasetNotFound, invalidField } from '../../evaluation-errors.js';
import { ExperimentRepository } from '../experiment.repository.js';
import { ReadExperimentUseCase } from '../read-experiment/read-experiment.use-case.js';

/** The most items an experiment runs (a replay batch's limit). */
export const EXPERIMENT_MAX_ITEMS = 200;

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
  ) {}

  async execute(
    body: Evaluations.ExperimentBody,
    actor: Actor,
    correlationId: string,
  ): Promise<Evaluations.ExperimentView> {
    const tenantId = tenantOf(actor);
    const dataset = await this.datasets.get(tenantId, body.dataset);
    if (!dataset) throw datasetNotFound(body.dataset);
    const taskIds = [...new Set(dataset.view.items.map((i) => i.taskId))];
    if (!taskIds.length) throw invalidField('dataset', `dataset ${body.dataset} has no items`);
    if (taskIds.length > EXPERIMENT_MAX_ITEMS)
      throw invalidField('dataset', `an experiment runs at most ${EXPERIMENT_MAX_ITEMS} tasks`);
    const agent = await this.agents.find(tenantId, body.agent.name);
    if (!agent) throw invalidField('agent.name', `agent ${body.agent.name} not found`);
    const candidate = await this.pick(agent.id, body.agent, 'agent');
    const baseline = body.baseline
      ? await this.pick(agent.id, body.baseline, 'baseline')
      : undefined;
    const run = async (v: Agents.AgentVersionView) =>
      (
        await this.batches.execute(
          {
            taskIds,
            changes: { agent: { name: agent.view.agent, version: v.version } },
            concurrency: body.concurrency,
          },
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
      batchId,
      baselineBatchId,
      createdBy: actor.userId,
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
