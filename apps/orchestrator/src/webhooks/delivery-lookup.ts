import { Injectable } from '@nestjs/common';
import type { Webhooks } from '@switchboard/contracts';
import { OwnedLookup } from '../tenancy/owned-lookup.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { WebhookDeliveryRepository } from './delivery/webhook-delivery.repository.js';
import { deliveryNotFound } from './webhook-access.js';

/**
 * Finds a webhook delivery for someone (OwnedLookup: its owner, an admin of its tenant, or the
 * platform operator; anyone else gets NOT_FOUND, and an attempt on another tenant's is audited as
 * denied). The repository reads for an Audience and pages its lists; this is its OwnedStore.
 */
@Injectable()
export class DeliveryLookup extends OwnedLookup<Webhooks.WebhookDeliveryView> {
  constructor(deliveries: WebhookDeliveryRepository, refusals: TenantRefusals) {
    super(
      refusals,
      {
        get: (id, scope) => deliveries.get(id, { scope }),
        list: async (scope, userId, take) =>
          (await deliveries.list({ limit: take }, { scope, userId })).deliveries,
        tenantOf: (id) => deliveries.tenantOfDelivery(id),
      },
      { category: 'webhook', notFound: deliveryNotFound },
    );
  }
}
