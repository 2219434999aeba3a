import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

const MAX_CACHED = 500;

/**
 * Checks a model's tool-call arguments against the tool's input schema before anything is dispatched,
 * so a malformed call goes straight back to the model. (mcp-tools validates again: it trusts no caller.)
 */
export class ArgumentValidator {
  private readonly ajv = new Ajv({
    allErrors: true,
    strict: false,
    coerceTypes: false,
    useDefaults: false,
  });
  // Manifests are rebuilt per task; schemas are compared by content.
  private readonly compiled = new Map<string, ValidateFunction | null>();

  constructor() {
    addFormats(this.ajv);
  }

  /** Problems as "path: message", or an empty list when valid (or the schema cannot be compiled). */
  problems(schema: Record<string, unknown>, value: unknown): string[] {
    const validate = this.compile(schema);
    if (!validate || validate(value)) return [];
    return (validate.errors ?? []).map(describe);
  }

  private compile(schema: Record<string, unknown>): ValidateFunction | null {
    const key = JSON.stringify(schema);
    if (this.compiled.has(key)) return this.compiled.get(key) ?? null;
    let validate: ValidateFunction | null;
    try {
      validate = this.ajv.compile(schema);
    } catch {
      validate = null; // mcp-tools owns the schema and will judge the call itself
    }
    if (this.compiled.size >= MAX_CACHED)
      this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(key, validate);
    return validate;
  }
}

function describe(e: ErrorObject): string {
  let path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'required')
    path = [path, (e.params as { missingProperty: string }).missingProperty]
      .filter(Boolean)
      .join('.');
  if (e.keyword === 'additionalProperties') {
    path = [path, (e.params as { additionalProperty: string }).additionalProperty]
      .filter(Boolean)
      .join('.');
    return `${path}: is not an allowed field`;
  }
  return `${path || '(arguments)'}: ${e.message ?? e.keyword}`;
}
