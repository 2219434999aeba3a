import type { Issue } from '@switchboard/contracts';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

const OPTIONS: Options = { allErrors: true, strict: false, coerceTypes: false, useDefaults: false };

export type SchemaDraft = 'draft-07' | '2019-09' | '2020-12';

/**
 * The platform's one JSON Schema policy (tool inputs and outputs in mcp-tools, a model's tool-call
 * arguments in the orchestrator): each schema in the draft it declares (`$schema`: 2020-12, 2019-09,
 * otherwise draft-07, which is what most MCP servers emit), compiled once and kept by its content, with
 * its own Ajv instance when it carries an `$id` (so two schemas may reuse an id without clashing).
 */
export class JsonSchemaCompiler {
  private readonly shared = new Map<SchemaDraft, Ajv>();
  private readonly compiled = new Map<string, ValidateFunction>();

  /** `maxCompiled`: validators kept; older ones are dropped first. */
  constructor(private readonly maxCompiled = 2_000) {}

  /** The schema's validator; throws (Ajv's message) when the schema does not compile. */
  compile(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    const known = this.compiled.get(key);
    if (known) return known;
    // `$schema` only selects the draft; an unknown meta-schema URI would make Ajv refuse the schema.
    const { $schema, ...body } = schema;
    const draft = schemaDraftOf($schema);
    const ajv = '$id' in body ? this.create(draft) : this.ajvFor(draft);
    const validate = ajv.compile(body);
    this.compiled.set(key, validate);
    if (this.compiled.size > this.maxCompiled)
      this.compiled.delete(this.compiled.keys().next().value as string);
    return validate;
  }

  private ajvFor(draft: SchemaDraft): Ajv {
    let ajv = this.shared.get(draft);
    if (!ajv) {
      ajv = this.create(draft);
      this.shared.set(draft, ajv);
    }
    return ajv;
  }

  private create(draft: SchemaDraft): Ajv {
    const ajv =
      draft === '2020-12'
        ? new Ajv2020(OPTIONS)
        : draft === '2019-09'
          ? new Ajv2019(OPTIONS)
          : new Ajv(OPTIONS);
    addFormats(ajv);
    return ajv;
  }
}

export function schemaDraftOf(uri: unknown): SchemaDraft {
  if (typeof uri !== 'string') return 'draft-07';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

/**
 * Ajv's errors as the platform's issues: the field's dotted path (a missing or unexpected field
 * named in it), `(root)` for the value itself.
 */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined): Issue[] {
  return (errors ?? []).map((e) => {
    let path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (e.keyword === 'required')
      path = [path, (e.params as { missingProperty: string }).missingProperty]
        .filter(Boolean)
        .join('.');
    if (e.keyword === 'additionalProperties') {
      path = [path, (e.params as { additionalProperty: string }).additionalProperty]
        .filter(Boolean)
        .join('.');
      return { path, message: 'is not an allowed field' };
    }
    return { path: path || '(root)', message: e.message ?? e.keyword };
  });
}
