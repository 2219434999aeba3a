import { DomainError } from '@switchboard/contracts';

export { audienceOf } from '../webhooks/webhook-access.js';

export const scheduleNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `schedule ${id} not found`);
