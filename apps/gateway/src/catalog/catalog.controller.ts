import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { A2a, type Actor, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { constraintsOf, ToolsListQuery } from '../http/api.schemas.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { ToolCatalogueService } from './tool-catalogue.service.js';

/** What the caller can use: its tool manifest and the agents it may delegate to. */
@Controller()
@UseGuards(AuthGuard)
export class CatalogController {
  constructor(
    private readonly bus: NatsBus,
    private readonly catalogue: ToolCatalogueService,
  ) {}

  /**
   * The caller's tools (mcp-tools applies roles, authorizations and the constraints); `providers` or
   * `tools` naming nothing real, or an unconfigured tool, are a 400 naming each. With `q`, the best
   * matches among them instead (mcp-tools searches the caller's own tools only).
   */
  @Get('tools')
  async tools(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(ToolsListQuery)) query: ToolsListQuery,
  ): Promise<Tools.Manifest | Tools.ToolSearchResult> {
    const constraints = constraintsOf(query);
    await this.catalogue.check(constraints, { prefix: '', what: 'query string' });
    const scope = constraints ? { constraints } : {};
    if (query.q !== undefined) {
      const limit = query.limit !== undefined ? { limit: query.limit } : {};
      return this.bus.request(Tools.ToolsSearch, { query: query.q, ...limit, ...scope }, { actor });
    }
    return this.bus.request(Tools.ToolsManifest, scope, { actor });
  }

  /** The remote agents the caller may delegate to (a2a applies its per-role policy). */
  @Get('agents')
  agents(@CurrentActor() actor: Actor): Promise<{ agents: A2a.AgentSummary[] }> {
    return this.bus.request(A2a.AgentsList, {}, { actor });
  }
}
