import { Injectable } from '@nestjs/common';
import { DomainError, type Issue } from '@switchboard/contracts';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv) => Ajv;

const OPTIONS: Options = { allErrors: true, strict: false, coerceTypes: false, useDefaults: false };

/** Compiled validators kept (by schema text); older ones are dropped first. */
const MAX_COMPILED = 2_000;

type Draft = 'draft-07' | '2019-09' | '2020-12';

/**
 * JSON Schema validation of tool inputs and outputs. Schemas come from our code, the tools file and
 * external MCP servers, in the draft they declare (`$schema`: 2020-12, 2019-09, otherwise draft-07,
 * which is what most servers emit). Each schema is compiled once, keyed by its content, and with its
 * own validator instance when it carries an `$id` (so two schemas may reuse an id without clashing).
 */
@Injectable()
export class SchemaValidator {
  private readonly shared = new Map<Draft, Ajv>();
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Why `schema` cannot be used (it does not compile), or undefined. Untrusted schemas are checked first. */
  problemOf(schema: Record<string, unknown>): string | undefined {
    try {
      this.compile(schema);
      return undefined;
    } catch (e) {
      return (e as Error).message.slice(0, 300);
    }
  }

  /** Throws VALIDATION naming each failing field. `what` is e.g. "input of calculator". */
  assertValid(
    schema: Record<string, unknown>,
    value: unknown,
    what: string,
    code: 'VALIDATION' | 'UPSTREAM_ERROR' = 'VALIDATION',
  ): void {
    let validate: ValidateFunction;
    try {
      validate = this.compile(schema);
    } catch (e) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the schema of the ${what} does not compile: ${(e as Error).message.slice(0, 300)}`,
      );
    }
    if (validate(value)) return;
    const issues = (validate.errors ?? []).map(toIssue);
    throw new DomainError(
      code,
      `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      {
        details: { issues },
      },
    );
  }

  private compile(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    const known = this.compiled.get(key);
    if (known) return known;
    // `$schema` only selects the draft; an unknown meta-schema URI would make Ajv refuse the schema.
    const { $schema, ...body } = schema;
    const draft = draftOf($schema);
    const ajv = '$id' in body ? this.create(draft) : this.ajvFor(draft);
    const validate = ajv.compile(body);
    this.compiled.set(key, validate);
    if (this.compiled.size > MAX_COMPILED)
      this.compiled.delete(this.compiled.keys().next().value as string);
    return validate;
  }

  private ajvFor(draft: Draft): Ajv {
    let ajv = this.shared.get(draft);
    if (!ajv) {
      ajv = this.create(draft);
      this.shared.set(draft, ajv);
    }
    return ajv;
  }

  private create(draft: Draft): Ajv {
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

function draftOf(uri: unknown): Draft {
  if (typeof uri !== 'string') return 'draft-07';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

function toIssue(e: ErrorObject): Issue {
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
}
