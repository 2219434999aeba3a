import { JsonSchemaCompiler, schemaIssues } from '@switchboard/runtime';

const squash = (s: string, caseSensitive: boolean): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return caseSensitive ? t : t.toLowerCase();
};

/** The answer equals the expected one (whitespace runs squashed; case ignored unless asked). */
export const exactMatch = (answer: string, expected: string, caseSensitive = false): boolean =>
  squash(answer, caseSensitive) === squash(expected, caseSensitive);

/** The answer contains the expected text (whitespace runs squashed; case ignored unless asked). */
export const containsMatch = (answer: string, expected: string, caseSensitive = false): boolean =>
  squash(answer, caseSensitive).includes(squash(expected, caseSensitive));

/** The answer matches the pattern (a pattern that does not compile is the caller's VALIDATION). */
export const regexMatch = (answer: string, pattern: string, flags?: string): boolean =>
  new RegExp(pattern, flags).test(answer);

const schemas = new JsonSchemaCompiler(200);

/**
 * Whether the answer, read as JSON (the whole answer, or the first fenced ```json block), is valid
 * against the schema; the problems otherwise.
 */
export function jsonSchemaMatch(
  answer: string,
  schema: Record<string, unknown>,
): { ok: boolean; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(jsonOf(answer));
  } catch {
    return { ok: false, problems: ['the answer is not JSON'] };
  }
  let validate;
  try {
    validate = schemas.compile(schema);
  } catch (e) {
    return { ok: false, problems: [`the schema does not compile: ${(e as Error).message}`] };
  }
  if (validate(value)) return { ok: true, problems: [] };
  return {
    ok: false,
    problems: schemaIssues(validate.errors).map((i) => `${i.path}: ${i.message}`),
  };
}

function jsonOf(answer: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(answer);
  return (fenced?.[1] ?? answer).trim();
}
