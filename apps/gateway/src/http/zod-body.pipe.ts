import { type PipeTransform } from '@nestjs/common';
import { DomainError, validationError } from '@switchboard/contracts';
import type { z } from 'zod';

/** Validates a JSON body against a contract schema; a rejection names every field and why. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    if (value === undefined || value === null || value === '') {
      throw new DomainError('VALIDATION', 'request body is required (a JSON object)');
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new DomainError('VALIDATION', 'request body must be a JSON object');
    }
    const result = this.schema.safeParse(value);
    if (!result.success) throw validationError('request body', result.error);
    return result.data as z.infer<S>;
  }
}
