import { z } from 'zod';

import type { Operation, UntaggedOperation } from './openapi.operation.js';

type Responses = Operation['responses'];

/** The operations of one tag (a resource's routes), each given the tag: stated once, not per route. */
export const tagged = (tag: string, operations: UntaggedOperation[]): Operation[] =>
  operations.map((operation) => ({ ...operation, tag }));

/** A route's one successful answer: a JSON document of `schema` under `status`. */
const answer = (status: number, description: string, schema: z.ZodType): Responses => ({
  [status]: { description, schema },
});

/** 200 with a JSON document. */
export const ok = (description: string, schema: z.ZodType): Responses =>
  answer(200, description, schema);

/** 201 with the created resource. */
export const created = (description: string, schema: z.ZodType): Responses =>
  answer(201, description, schema);

/** 202 with what was started or queued. */
export const accepted = (description: string, schema: z.ZodType): Responses =>
  answer(202, description, schema);

/** A list answer: one object whose `key` is the array of `item`s (e.g. `{ webhooks: [...] }`). */
export const listOf = (key: string, item: z.ZodType): z.ZodObject =>
  z.object({ [key]: z.array(item) });

/** A JSON body the route cannot do without (an optional one is a plain `body`). */
export const requiredBody = (body: z.ZodType): Pick<Operation, 'body' | 'bodyRequired'> => ({
  body,
  bodyRequired: true,
});

/**
 * The errors of a route that asks a service: not authenticated (401), a rate limit or quota (429), the
 * service down (503) or too slow (504), plus the route's own (`own`: 400 for its input, 403, 404, 409,
 * 415 for a body, …). Routes that answer from the gateway alone, or never time out, list theirs whole.
 */
export const serviceErrors = (...own: number[]): number[] =>
  [...own, 401, 429, 503, 504].sort((a, b) => a - b);
