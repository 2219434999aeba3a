import { Controller, Delete, Get, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../auth/current-actor.decorator.js';
import { ToolCatalogueService } from '../catalog/tool-catalogue.service.js';
import { constraintsOf, ToolsQuery } from '../http/api.schemas.js';
import { parseQuery } from '../http/zod-query.pipe.js';
import { McpAuthGuard } from './mcp-auth.guard.js';
import { McpChallengeFilter } from './mcp-challenge.filter.js';
import { McpOriginGuard } from './mcp-origin.guard.js';
import { McpModern } from './mcp-modern.js';
import { McpSessions } from './mcp-sessions.js';

/**
 * `POST/GET/DELETE /mcp`: the Streamable HTTP endpoint of the platform's MCP server, behind the same
 * authentication as the rest of the API (in jwt mode with the MCP resource's audience, McpAuthGuard),
 * after the Host/Origin check (McpOriginGuard); its 401s carry the OAuth challenge that points MCP
 * clients to the authorization server (McpChallengeFilter). Optional `?providers=…&tools=…` narrow the
 * session to those (custom constraints). Once authenticated, the raw request and response go to the
 * SDK transport of the request's revision: 2026-07-28 (stateless, McpModern) or 2025-11-25 (sessions,
 * McpSessions).
 */
@Controller('mcp')
@UseGuards(McpOriginGuard, McpAuthGuard)
@UseFilters(McpChallengeFilter)
export class McpController {
  constructor(
    private readonly catalogue: ToolCatalogueService,
    private readonly sessions: McpSessions,
    private readonly modern: McpModern,
  ) {}

  @Post()
  post(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply);
  }

  /** The server→client SSE stream (list_changed notifications). */
  @Get()
  stream(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply);
  }

  /** Ends the session named by Mcp-Session-Id. */
  @Delete()
  end(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve(req, reply);
  }

  /** The three verbs' one path: the caller and the query are read here, once, not per verb. */
  private async serve(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const actor = requestActor(req);
    const constraints = constraintsOf(parseQuery(ToolsQuery, req.query));
    // Before the SDK takes over: `?tools=` naming no real tool is the API's 400, not a JSON-RPC error.
    await this.catalogue.check(constraints, { prefix: '', what: 'query string' });
    // From here on the SDK writes the response (JSON, SSE or an HTTP error) on the raw socket.
    reply.hijack();
    const exchange = { actor, constraints, req: req.raw, res: reply.raw, body: req.body };
    // The revision as the spec (and the v2 SDK) chooses it: 2026-07-28 requests carry the `_meta`
    // envelope; initialize, session requests, GET and DELETE are 2025-11-25's.
    if (await this.modern.isLegacy(exchange)) await this.sessions.handle(exchange);
    else await this.modern.handle(exchange);
  }
}
