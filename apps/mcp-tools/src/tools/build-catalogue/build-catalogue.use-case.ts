import { Inject, Injectable } from '@nestjs/common';
import { Tools } from '@switchboard/contracts';
import { MCP_STATUS, type McpStatusSource } from '../../mcp/mcp-server.status.js';
import { ToolRegistry } from '../../registry/tool-registry.service.js';

/**
 * Every tool and provider of the registry, whoever may use them: the names `tool_constraints` may
 * use. Unconfigured tools are listed with what they need (names only); the providers of external MCP
 * servers that are not connected now are marked, as their tools are unknown until they are.
 */
@Injectable()
export class BuildCatalogueUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    @Inject(MCP_STATUS) private readonly mcp: McpStatusSource,
  ) {}

  execute(): Tools.ToolCatalogue {
    const away = new Set(
      this.mcp
        .status()
        .filter((s) => s.state !== 'connected')
        .map((s) => s.name),
    );
    return {
      registryVersion: this.registry.version,
      tools: this.registry.list().map(({ definition, needs }) => ({
        name: definition.name,
        provider: definition.provider,
        configured: needs.length === 0,
        ...(needs.length
          ? { needs: [...needs], reason: Tools.unconfiguredReason(definition.name, needs) }
          : {}),
      })),
      providers: this.registry.providers().map((p) => ({
        name: p.name,
        requiresAuthorization: p.requiresAuthorization,
        toolsPending: away.has(p.name),
      })),
    };
  }
}
