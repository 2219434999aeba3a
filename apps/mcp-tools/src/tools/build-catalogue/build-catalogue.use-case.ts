import { Inject, Injectable } from '@nestjs/common';
import { Tools } from '@switchboard/contracts';
import { MCP_STATUS, type McpStatusSource } from '../../mcp/mcp-server.status.js';
import { type RegisteredTool, ToolRegistry } from '../../registry/tool-registry.service.js';
import { CREDENTIALS, type CredentialStore } from '../credential-store.js';

/**
 * Every tool and provider of the registry, whoever may use them: the names `tool_constraints` may
 * use. Unconfigured tools are listed with what they need (names only); the providers of external MCP
 * servers that are not connected now are marked, as their tools are unknown until they are. The
 * catalogue is the platform's, not a tenant's: a tool counts as configured when the platform or some
 * tenant has what it needs (mcp-tools still refuses it for a tenant that lacks it).
 */
@Injectable()
export class BuildCatalogueUseCase {
  constructor(
    private readonly registry: ToolRegistry,
    @Inject(MCP_STATUS) private readonly mcp: McpStatusSource,
    @Inject(CREDENTIALS) private readonly credentials: Pick<CredentialStore, 'hasAnywhere'>,
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
      tools: this.registry.list().map((tool) => {
        const { definition } = tool;
        const needs = this.needsAnywhere(tool);
        return {
          name: definition.name,
          provider: definition.provider,
          configured: needs.length === 0,
          ...(needs.length
            ? { needs: [...needs], reason: Tools.unconfiguredReason(definition.name, needs) }
            : {}),
        };
      }),
      providers: this.registry.providers().map((p) => ({
        name: p.name,
        requiresAuthorization: p.requiresAuthorization,
        toolsPending: away.has(p.name),
      })),
    };
  }

  /** What the tool lacks for everyone: unset settings, and credentials no tenant and no platform has. */
  private needsAnywhere({ definition, implementation }: RegisteredTool): string[] {
    return [
      ...(implementation.unsetSettings ?? []),
      ...definition.requiredCredentials.filter((n) => !this.credentials.hasAnywhere(n)),
    ];
  }
}
