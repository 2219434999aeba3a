import { type Actor, DomainError, isAdmin } from '@switchboard/contracts';
import { scopeOf } from '../tenancy/tenant-scope.js';
import type { DeliveryAudience } from './delivery/webhook-delivery.repository.js';

/**
 * Who sees which webhooks and deliveries: their owner; an admin, every one of their tenant; the
 * platform operator, every tenant's. Anything else is answered as missing.
 */
export function audienceOf(actor: Actor): DeliveryAudience {
  return { scope: scopeOf(actor), ...(isAdmin(actor) ? {} : { userId: actor.userId }) };
}

export const webhookNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `webhook ${id} not found`);
export const deliveryNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `webhook delivery ${id} not found`);
