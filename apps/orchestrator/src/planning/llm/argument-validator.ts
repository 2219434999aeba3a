import { JsonSchemaCompiler, schemaIssues } from '@switchboard/runtime';
import type { ValidateFunction } from 'ajv';

/**
 * Checks a model's tool-call arguments against the tool's input schema before anything is dispatched,
 * so a malformed call goes straight back to the model. (mcp-tools validates again: it trusts no caller.)
 * The schema is read under the platform's one draft policy, as mcp-tools reads it.
 */
export class ArgumentValidator {
  // Manifests are rebuilt per task; schemas are compared by content.
  private readonly schemas = new JsonSchemaCompiler(500);

  /** Problems as "path: message", or an empty list when valid (or the schema cannot be compiled). */
  problems(schema: Record<string, unknown>, value: unknown): string[] {
    let validate: ValidateFunction;
    try {
      validate = this.schemas.compile(schema);
    } catch {
      return []; // mcp-tools owns the schema and will judge the call itself
    }
    if (validate(value)) return [];
    return schemaIssues(validate.errors).map(
      (i) => `${i.path === '(root)' ? '(arguments)' : i.path}: ${i.message}`,
    );
  }
}
