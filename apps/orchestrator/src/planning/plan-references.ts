import { DomainError } from '@switchboard/contracts';

const WHOLE = /^\$steps\.([\w-]+)\.output((?:\.[\w-]+)*)$/;
const TEMPLATE = /\{\{\s*steps\.([\w-]+)\.output((?:\.[\w-]+)*)\s*\}\}/g;

/**
 * Resolves references to earlier results inside an action's input: a string that is exactly
 * `$steps.<id>.output[.path]` becomes that value; `{{steps.<id>.output[.path]}}` inside a string is
 * replaced by the value's text. An unknown step or path is a VALIDATION error naming it.
 */
export function resolveReferences(input: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  if (typeof input === 'string') {
    const whole = WHOLE.exec(input);
    if (whole) return lookup(outputs, whole[1] as string, whole[2] as string, input);
    return input.replace(TEMPLATE, (ref: string, id: string, path: string) => {
      const v = lookup(outputs, id, path, ref);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(input)) return input.map((v) => resolveReferences(v, outputs));
  if (input && typeof input === 'object') {
    return Object.fromEntries(
      Object.entries(input).map(([k, v]) => [k, resolveReferences(v, outputs)]),
    );
  }
  return input;
}

function lookup(
  outputs: ReadonlyMap<string, unknown>,
  id: string,
  path: string,
  ref: string,
): unknown {
  if (!outputs.has(id))
    throw new DomainError('VALIDATION', `reference ${ref}: step ${id} has no result`);
  let value: unknown = outputs.get(id);
  for (const key of path.split('.').filter(Boolean)) {
    if (!value || typeof value !== 'object' || !(key in value)) {
      throw new DomainError('VALIDATION', `reference ${ref}: the result of ${id} has no "${key}"`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
