import { type PipeTransform } from '@nestjs/common';
import { parseOrThrow } from '@switchboard/contracts';
import type { z } from 'zod';

/** A query string (as Fastify parsed it) checked against `schema`; a rejection names the parameter. */
export const parseQuery = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> =>
  parseOrThrow(schema, value ?? {}, 'query string');

/** Validates a query string against a schema, as a route parameter's pipe (parseQuery). */
export class ZodQueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    return parseQuery(this.schema, value);
  }
}
