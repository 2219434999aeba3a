import { Injectable } from '@nestjs/common';
import { DomainError } from '@switchboard/contracts';
import { JsonSchemaCompiler, schemaIssues } from '@switchboard/runtime';
import type { ValidateFunction } from 'ajv';

/**
 * JSON Schema validation of tool inputs and outputs. Schemas come from our code, the tools file and
 * external MCP servers; the draft policy and the compiled-schema cache are the platform's one
 * (libs/runtime JsonSchemaCompiler).
 */
@Injectable()
export class SchemaValidator {
  private readonly schemas = new JsonSchemaCompiler(2_000);

  /** Why `schema` cannot be used (it does not compile), or undefined. Untrusted schemas are checked first. */
  problemOf(schema: Record<string, unknown>): string | undefined {
    try {
      this.schemas.compile(schema);
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
      validate = this.schemas.compile(schema);
    } catch (e) {
      throw new DomainError(
        'UPSTREAM_ERROR',
        `the schema of the ${what} does not compile: ${(e as Error).message.slice(0, 300)}`,
      );
    }
    if (validate(value)) return;
    const issues = schemaIssues(validate.errors);
    throw new DomainError(
      code,
      `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      { details: { issues } },
    );
  }
}
