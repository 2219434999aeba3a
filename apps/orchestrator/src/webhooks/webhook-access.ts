import { DomainError } from '@switchboard/contracts';

export const webhookNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `webhook ${id} not found`);
export const deliveryNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `webhook delivery ${id} not found`);
