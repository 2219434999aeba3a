import { DomainError } from '@switchboard/contracts';

/**
 * The one request body parser of every service: JSON, with the two keys that poison prototypes when an
 * object is later merged (`__proto__`, and `constructor` holding `prototype`) refused by name rather
 * than reported as "not valid JSON" (Fastify's own parser drops the reason).
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) {
    throw new DomainError(
      'VALIDATION',
      'request body is empty: send a JSON value, or no Content-Type without a body',
    );
  }
  // The reviver is slower; only text that could hold such a key (escaped keys decode too) needs it.
  const suspicious =
    text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refuseForbiddenKeys) : JSON.parse(text);
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError('VALIDATION', `request body is not valid JSON: ${(e as Error).message}`);
  }
}

function refuseForbiddenKeys(key: string, value: unknown): unknown {
  if (key === '__proto__')
    throw new DomainError('VALIDATION', 'request body must not contain the key "__proto__"', {
      details: { issues: [{ path: '__proto__', message: 'forbidden key' }] },
    });
  if (
    key === 'constructor' &&
    value !== null &&
    typeof value === 'object' &&
    Object.hasOwn(value, 'prototype')
  )
    throw new DomainError(
      'VALIDATION',
      'request body must not contain a "constructor" object with a "prototype" key',
      { details: { issues: [{ path: 'constructor.prototype', message: 'forbidden key' }] } },
    );
  return value;
}
