import { Injectable } from '@nestjs/common';
import type { Webhooks } from '@switchboard/contracts';
import { OwnedLookup } from '../tenancy/owned-lookup.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { webhookNotFound } from './webhook-access.js';
import { WebhookRepository } from './webhook.repository.js';

/**
 * Finds a live subscription for someone (OwnedLookup: its subscriber, an admin of its tenant, or the
 * platform operator; anyone else gets NOT_FOUND, and an attempt on another tenant's is audited).
 */
@Injectable()
export class WebhookLookup extends OwnedLookup<Webhooks.WebhookView> {
  constructor(repository: WebhookRepository, refusals: TenantRefusals) {
    super(refusals, repository, { category: 'webhook', notFound: webhookNotFound });
  }
}
