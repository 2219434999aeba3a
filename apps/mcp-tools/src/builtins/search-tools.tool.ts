import { Injectable } from '@nestjs/common';
import { Tools } from '@switchboard/contracts';
import type { ToolContext, ToolImplementation } from '../registry/tool-implementation.js';
import { SearchToolsUseCase } from '../tools/search-tools/search-tools.use-case.js';

/**
 * The search tool a model is offered when some of its tools are deferred (docs/tools.md): it searches
 * the caller's own tools under the task's constraints, and its results (with their schemas) join the
 * task's offer. As a tool call it is recorded with the task's steps, so a replay answers it from the
 * record and runs no search.
 */
@Injectable()
export class SearchToolsTool implements ToolImplementation {
  readonly definition = {
    name: Tools.SEARCH_TOOL_NAME,
    title: 'Search tools',
    description:
      'Finds more tools you may use, by what they do. Call it with a few words (e.g. "create github issue") when none of the tools offered fits; the best matches, with their parameters, can be called from then on.',
    provider: 'tool-search',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1, maxLength: 500, description: 'What the tool does.' },
        limit: { type: 'integer', minimum: 1, maximum: Tools.MAX_SEARCH_LIMIT },
      },
      required: ['query'],
      additionalProperties: false,
    },
    handler: { kind: 'builtin' as const, ref: Tools.SEARCH_TOOL_NAME },
    idempotent: true,
    deferred: false,
  };

  constructor(private readonly search: SearchToolsUseCase) {}

  run(input: Record<string, unknown>, ctx: ToolContext): Promise<Tools.ToolSearchResult> {
    const limit = typeof input['limit'] === 'number' ? input['limit'] : undefined;
    return this.search.execute(ctx.actor, {
      query: String(input['query']),
      ...(limit !== undefined ? { limit } : {}),
      ...(ctx.constraints ? { constraints: ctx.constraints } : {}),
    });
  }
}
