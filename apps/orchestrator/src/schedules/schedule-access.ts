import { DomainError } from '@switchboard/contracts';

export const scheduleNotFound = (id: string) =>
  new DomainError('NOT_FOUND', `schedule ${id} not found`);
