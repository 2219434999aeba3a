import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { MCP_STATUS, type McpStatusSource } from '../mcp/mcp-server.status.js';
import type { ToolImplementation } from '../registry/tool-implementation.js';
import { sourceKind, ToolRegistry } from '../registry/tool-registry.service.js';
import { CREDENTIALS, type CredentialStore } from '../tools/credential-store.js';

/**
 * `admin.debug` (admin-only): what this replica runs and how its tool sources are doing. It reports
 * which credentials are configured by name only, never a value, and no URL or setting that could hold
 * one.
 */
@Injectable()
export class AdminDebugTool implements ToolImplementation {
  readonly definition = {
    name: 'admin.debug',
    title: 'Admin diagnostics',
    description:
      'Diagnostics of the tools service: replica, uptime, registry (providers, tool counts, unconfigured tools), external MCP servers and which credentials are configured (names only).',
    provider: 'admin',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    outputSchema: {
      type: 'object',
      properties: {
        service: { type: 'object' },
        registry: { type: 'object' },
        mcpServers: { type: 'array' },
        credentials: { type: 'array' },
        cache: { type: 'object' },
      },
      required: ['service', 'registry', 'mcpServers', 'credentials', 'cache'],
    },
    handler: { kind: 'builtin' as const, ref: 'admin.debug' },
    adminOnly: true,
    idempotent: true,
    timeoutMs: 2_000,
  };

  constructor(
    private readonly registry: ToolRegistry,
    @Inject(MCP_STATUS) private readonly mcp: McpStatusSource,
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
  ) {}

  async run(): Promise<unknown> {
    const tools = this.registry.list();
    const usedBy = new Map<string, string[]>();
    for (const { definition } of tools) {
      for (const name of definition.requiredCredentials)
        usedBy.set(name, [...(usedBy.get(name) ?? []), definition.name]);
    }
    return {
      service: {
        name: this.identity.service,
        instance: this.identity.instance,
        version: this.identity.version,
        uptimeSeconds: Math.round((Date.now() - this.identity.startedAt) / 1_000),
        node: process.version,
        rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
      },
      registry: {
        version: this.registry.version,
        tools: tools.length,
        providers: this.registry.providers().map((p) => {
          const own = tools.filter((t) => t.definition.provider === p.name);
          return {
            name: p.name,
            requiresAuthorization: p.requiresAuthorization,
            tools: own.map((t) => t.definition.name),
            sources: [...new Set(own.map((t) => sourceKind(t.sourceId)))],
          };
        }),
        // Offered to nobody until what they need is set (names only).
        unconfigured: tools
          .filter((t) => t.needs.length > 0)
          .map((t) => ({ tool: t.definition.name, needs: [...t.needs] })),
      },
      mcpServers: this.mcp.status(),
      credentials: [...usedBy.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, by]) => ({ name, configured: this.credentials.has(name), usedBy: by })),
      cache: {
        manifestTtlSeconds: this.config.MANIFEST_CACHE_TTL_SECONDS,
      },
    };
  }
}
