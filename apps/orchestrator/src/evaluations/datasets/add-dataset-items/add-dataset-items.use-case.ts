import { Injectable } from '@nestjs/common';
import { type Actor, type Evaluations, tenantOf } from '@switchboard/contracts';
import { datasetNotFound, invalidField } from '../../evaluation-errors.js';
import { DatasetRepository } from '../dataset.repository.js';
import { RecordedTasks } from '../recorded-tasks.js';

/**
 * Adds recorded tasks to a dataset by id (docs/evaluations.md): each must be an ended task the caller
 * may read, with the step it names (an experiment forks there), else the whole request is refused
 * naming the item's field; then all are added as the dataset's next version.
 */
@Injectable()
export class AddDatasetItemsUseCase {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly recorded: RecordedTasks,
  ) {}

  async execute(
    req: { dataset: string; items: Evaluations.DatasetItemInput[] },
    actor: Actor,
  ): Promise<Evaluations.DatasetView> {
    const tenantId = tenantOf(actor);
    const found = await this.datasets.get(tenantId, req.dataset);
    if (!found) throw datasetNotFound(req.dataset);
    for (const [i, item] of req.items.entries()) {
      const refusal = await this.recorded.refusal(item.taskId, item.step, actor);
      if (refusal) throw invalidField(`items.${i}.${refusal.field}`, refusal.message);
    }
    await this.datasets.addItems(found.id, req.items, 'api');
    const after = await this.datasets.get(tenantId, req.dataset);
    if (!after) throw datasetNotFound(req.dataset);
    return after.view;
  }
}
