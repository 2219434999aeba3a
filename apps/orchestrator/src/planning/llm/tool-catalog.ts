import type { Tasks, Tools } from '@switchboard/contracts';
import type { KnownAgent } from '../planner.js';
import type { LlmFunction } from './llm.client.js';

/** The function the model calls to run several dependent actions in order. */
export const PLAN_FUNCTION = 'plan';

const MAX_NAME = 64;
const MAX_DESCRIPTION = 1_024;

/**
 * Function-calling names allow `[A-Za-z0-9_-]{1,64}` only, tool names allow dots: `notes.add` is
 * offered as `notes__add` (a dot becomes `__`, anything else outside the set `_`), cut to 64
 * characters, and made unique with a numeric suffix. The mapping is rebuilt from the same manifest
 * every round, so it is stable within a task.
 */
export function sanitizeFunctionName(name: string): string {
  const s = name.replace(/\./g, '__').replace(/[^A-Za-z0-9_-]/g, '_');
  return (s || 'tool').slice(0, MAX_NAME);
}

export interface CatalogEntry {
  functionName: string;
  kind: Tasks.StepKind;
  /** The tool's or agent's real name (the action target). */
  target: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
  /** Tools only: the manifest entry (for argument validation). */
  tool?: Tools.ManifestTool;
}

const DELEGATION_PARAMETERS = {
  type: 'object',
  properties: {
    message: { type: 'string', description: 'What to ask the agent, self-contained.' },
    context: { type: 'string', description: 'Optional earlier results the agent needs.' },
  },
  required: ['message'],
  additionalProperties: false,
};

/** The tools and agents offered to the model, by function name and by real name. */
export class ToolCatalog {
  private readonly byFunction = new Map<string, CatalogEntry>();
  private readonly byTarget = new Map<string, CatalogEntry>();
  readonly functions: LlmFunction[] = [];

  constructor(tools: readonly Tools.ManifestTool[], agents: readonly KnownAgent[]) {
    const taken = new Set<string>([PLAN_FUNCTION]);
    const unique = (base: string): string => {
      let name = base;
      for (let n = 2; taken.has(name); n++)
        name = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
      taken.add(name);
      return name;
    };
    for (const tool of tools) {
      const entry: CatalogEntry = {
        functionName: unique(sanitizeFunctionName(tool.name)),
        kind: 'tool',
        target: tool.name,
        parameters: functionParameters(tool.inputSchema),
        tool,
      };
      this.add(
        entry,
        `${tool.title}: ${tool.description}${tool.idempotent ? '' : ' (has side effects)'}`,
      );
    }
    for (const agent of agents) {
      const entry: CatalogEntry = {
        functionName: unique(`delegate__${sanitizeFunctionName(agent.name)}`.slice(0, MAX_NAME)),
        kind: 'agent',
        target: agent.name,
        parameters: DELEGATION_PARAMETERS,
      };
      this.add(entry, `Delegate to the remote agent "${agent.name}": ${agent.description}`);
    }
    if (this.byFunction.size > 0) this.functions.push(this.planFunction());
  }

  /** By function name (as offered), or by real name (models sometimes use the name from a description). */
  resolve(name: string): CatalogEntry | undefined {
    return this.byFunction.get(name) ?? this.byTarget.get(name);
  }

  get names(): string[] {
    return [...this.byFunction.keys()];
  }

  private add(entry: CatalogEntry, description: string): void {
    this.byFunction.set(entry.functionName, entry);
    this.byTarget.set(entry.target, entry);
    this.functions.push({
      name: entry.functionName,
      description: cut(description),
      parameters: entry.parameters,
    });
  }

  private planFunction(): LlmFunction {
    return {
      name: PLAN_FUNCTION,
      description:
        'Run several actions in order, when later ones need earlier results. Refer to an earlier result inside ' +
        'arguments as "$steps.<id>.output" or "$steps.<id>.output.<field>" (the whole value) or ' +
        '"{{steps.<id>.output.<field>}}" inside a longer text. If one action fails, the rest are not run.',
      parameters: {
        type: 'object',
        properties: {
          steps: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              properties: {
                id: {
                  type: 'string',
                  description:
                    'Short id of this step (letters, digits, _ or -), unique in the plan.',
                },
                tool: { type: 'string', enum: this.names, description: 'The function to call.' },
                arguments: { type: 'object', description: 'Its arguments.' },
                description: { type: 'string', description: 'Why this step is needed.' },
              },
              required: ['id', 'tool', 'arguments'],
            },
          },
        },
        required: ['steps'],
      },
    };
  }
}

/** A manifest schema as function parameters: an object schema without meta keys some servers reject. */
function functionParameters(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return { ...rest, type: 'object' };
}

function cut(s: string): string {
  return s.length > MAX_DESCRIPTION ? `${s.slice(0, MAX_DESCRIPTION - 1)}…` : s;
}
