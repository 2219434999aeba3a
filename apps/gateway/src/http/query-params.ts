import { z } from 'zod';

/** The parts of a comma-separated value, trimmed, the empty ones dropped (`a, b,` → `a`, `b`). */
const partsOf = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * A comma-separated list in a query parameter (`providers=a,b`): at most `chars` characters (4,000
 * unless said), then `min` (when given) to `max` items, each an `item`.
 */
export function csvOf<T extends z.ZodType<unknown, string>>(
  item: T,
  { max, min, chars = 4_000 }: { max: number; min?: number; chars?: number },
) {
  const list = z.array(item);
  return z
    .string()
    .max(chars)
    .transform(partsOf)
    .pipe((min === undefined ? list : list.min(min)).max(max));
}

/**
 * The query string of a list that takes only how many items it answers (`?limit=20`; the command
 * takes it as a `limitRequest`): 1 to `max`, read from the parameter's text, `byDefault` when absent.
 */
export function limitQuery(max: number, byDefault: number) {
  return z.object({ limit: z.coerce.number().int().min(1).max(max).default(byDefault) }).strict();
}

/** `Q`'s keys named in `N`, under their new names, each optional and never undefined. */
export type Renamed<Q, N> = {
  [K in keyof N & keyof Q as N[K] extends string ? N[K] : never]?: Exclude<Q[K], undefined>;
};

/**
 * The query parameters that are set, under the names the command takes them by (`user_id` →
 * `userId`), in the order `names` lists them: an unset one is left out, not sent as undefined.
 */
export function definedAs<Q extends object, const N extends { readonly [K in keyof Q]?: string }>(
  query: Q,
  names: N,
): Renamed<Q, N> {
  const request: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(names) as [keyof Q & string, string][]) {
    if (query[from] !== undefined) request[to] = query[from];
  }
  return request as Renamed<Q, N>;
}
