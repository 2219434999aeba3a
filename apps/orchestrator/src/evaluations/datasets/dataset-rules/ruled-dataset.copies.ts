import { tenantRuleCopies } from '../../../tenancy/tenant-rule.copies.js';
import { DatasetRepository } from '../dataset.repository.js';

/**
 * Each tenant's datasets that have a rule, as every live task that ends needs them. Their item counts
 * are as read, plus what this replica's rules added since: a dataset another replica filled may look
 * as if it had room until the copy is read again, and `addItems` then adds nothing (it counts under
 * the dataset's lock).
 */
export class RuledDatasetCopies extends tenantRuleCopies(
  'dataset-rules',
  DatasetRepository,
  (datasets, tenantId) => datasets.ruled(tenantId),
) {}
