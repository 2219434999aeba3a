import { DomainError } from '@switchboard/contracts';

export const datasetNotFound = (name: string): DomainError =>
  new DomainError('NOT_FOUND', `dataset ${name} not found`);

export const experimentNotFound = (id: string): DomainError =>
  new DomainError('NOT_FOUND', `experiment ${id} not found`);

/** Bad input, the error naming the field. */
export const invalidField = (path: string, message: string): DomainError =>
  new DomainError('VALIDATION', `${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
