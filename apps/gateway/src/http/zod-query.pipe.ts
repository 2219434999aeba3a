import { type PipeTransform } from '@nestjs/common';
import { validationError } from '@switchboard/contracts';
import type { z } from 'zod';

/** Validates a query string (as Fastify parsed it) against a schema; a rejection names the parameter. */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (!result.success) throw validationError('query string', result.error);
    return result.data as z.infer<S>;
  }
}
