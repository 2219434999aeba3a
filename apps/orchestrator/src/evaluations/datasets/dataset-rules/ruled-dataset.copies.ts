import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TenantRuleCopies, type TenantRulesSettings } from '../../../tenancy/tenant-rule.copies.js';
import { DatasetRepository, type RuledDataset } from '../dataset.repository.js';

/**
 * Each tenant's datasets that have a rule, as every live task that ends needs them. Their item counts
 * are as read, plus what this replica's rules added since: a dataset another replica filled may look
 * as if it had room until the copy is read again, and `addItems` then adds nothing (it counts under
 * the dataset's lock).
 */
@Injectable()
export class RuledDatasetCopies extends TenantRuleCopies<RuledDataset[]> {
  constructor(
    private readonly datasets: DatasetRepository,
    bus: NatsBus,
    @Inject(APP_CONFIG) config: TenantRulesSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    super('dataset-rules', bus, config, logger);
  }

  protected override read(tenantId: string): Promise<RuledDataset[]> {
    return this.datasets.ruled(tenantId);
  }
}
