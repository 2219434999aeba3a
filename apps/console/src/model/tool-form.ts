/** One input of the Try form: a property of the tool's input schema. */
export interface ToolField {
  name: string;
  /** How it is entered: a text box, a number, a checkbox, a choice, or JSON for anything else. */
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';
  required: boolean;
  description?: string;
  options?: string[];
}

type Schema = {
  type?: unknown;
  properties?: Record<string, unknown>;
  required?: unknown;
  enum?: unknown;
  description?: unknown;
};

/**
 * The Try form of a tool, from its input schema's top-level properties. Properties of another shape
 * (objects, arrays, unions) are entered as JSON; the tool's schema is checked by mcp-tools on the call,
 * which names what is wrong.
 */
export function toolFields(inputSchema: unknown): ToolField[] {
  const schema = (inputSchema ?? {}) as Schema;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties ?? {}).map(([name, raw]) => {
    const p = (raw ?? {}) as Schema;
    const base = {
      name,
      required: required.has(name),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    };
    if (Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string'))
      return { ...base, kind: 'enum', options: p.enum };
    switch (p.type) {
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
        return { ...base, kind: p.type };
      default:
        return { ...base, kind: 'json' };
    }
  });
}

/** What the user typed, per field (a checkbox's state for booleans). */
export type ToolFormValues = Record<string, string | boolean>;

/**
 * The call's arguments from the form, or the problems, each naming its field ("count: must be a
 * number"). Empty optional fields are left out.
 */
export function toolArguments(
  fields: readonly ToolField[],
  values: ToolFormValues,
): { ok: true; args: Record<string, unknown> } | { ok: false; problems: string[] } {
  const args: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'boolean') {
      if (v !== undefined || f.required) args[f.name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v : '';
    if (text.trim() === '') {
      if (f.required) problems.push(`${f.name}: required`);
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n)) problems.push(`${f.name}: must be a number`);
      else if (f.kind === 'integer' && !Number.isInteger(n))
        problems.push(`${f.name}: must be a whole number`);
      else args[f.name] = n;
    } else if (f.kind === 'json') {
      try {
        args[f.name] = JSON.parse(text) as unknown;
      } catch (e) {
        problems.push(`${f.name}: not valid JSON (${(e as Error).message})`);
      }
    } else {
      args[f.name] = text;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, args };
}
