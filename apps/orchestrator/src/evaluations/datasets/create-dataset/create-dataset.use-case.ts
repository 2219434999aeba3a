import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Evaluations, tenantOf } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { AuditTrail } from '@switchboard/messaging';
import { RuledDatasetCopies } from '../dataset-rules/ruled-dataset.copies.js';
import { DatasetRepository } from '../dataset.repository.js';

/** Creates a dataset in the caller's tenant (docs/evaluations.md); audited. */
@Injectable()
export class CreateDatasetUseCase {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly audit: AuditTrail,
    private readonly ruled: RuledDatasetCopies,
  ) {}

  async execute(
    body: Evaluations.DatasetCreateBody,
    actor: Actor,
  ): Promise<Evaluations.DatasetView> {
    const tenantId = tenantOf(actor);
    const view = await this.datasets.create(randomUUID(), tenantId, body, actor.userId);
    if (!view)
      throw new DomainError('CONFLICT', `name: a dataset ${body.name} exists in this tenant`, {
        details: { issues: [{ path: 'name', message: 'taken in this tenant' }] },
      });
    if (body.rule) this.ruled.ruleChanged(tenantId);
    void this.audit.record({
      category: 'request',
      action: 'dataset.create',
      outcome: 'success',
      resource: body.name,
      details: { rule: body.rule !== undefined },
    });
    return view;
  }
}
