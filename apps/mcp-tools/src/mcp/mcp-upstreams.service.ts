import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { isDomainError } from '@switchboard/contracts';
import {
  LOGGER,
  type Logger,
  SERVICE_IDENTITY,
  type ServiceIdentity,
} from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import type { ToolImplementation } from '../registry/tool-implementation.js';
import { parseDefinition, ToolRegistry } from '../registry/tool-registry.service.js';
import type { McpServerConfig } from '../definitions/tools-file.schema.js';
import { CREDENTIALS, type CredentialStore } from '../tools/credential-store.js';
import { SchemaValidator } from '../tools/schema-validator.js';
import type { McpServerStatus, McpStatusSource } from './mcp-server.status.js';
import { McpUpstream } from './mcp-upstream.js';
import { toDefinitions, toToolOutput, type UpstreamToolDefinition } from './mcp.translator.js';

/**
 * The external MCP servers of the configuration. Startup waits for each to connect (bounded by
 * MCP_CONNECT_TIMEOUT_MS; a server that is down keeps being retried in the background). Each server's
 * tools are one registry source (`mcp:<name>`), replaced on every `list_changed` and removed while the
 * server is disconnected, so manifests only offer tools that can run.
 */
@Injectable()
export class McpUpstreams implements McpStatusSource, OnApplicationShutdown {
  private readonly upstreams = new Map<string, McpUpstream>();

  constructor(
    private readonly registry: ToolRegistry,
    private readonly validator: SchemaValidator,
    @Inject(CREDENTIALS) private readonly credentials: CredentialStore,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  /** Connects to every server (called once at boot by the tool sources loader). */
  async connectAll(servers: readonly McpServerConfig[]): Promise<void> {
    for (const server of servers) {
      const sourceId = `mcp:${server.name}`;
      const upstream: McpUpstream = new McpUpstream(
        server,
        this.credentials,
        {
          connectTimeoutMs: this.config.MCP_CONNECT_TIMEOUT_MS,
          clientVersion: this.identity.version,
          reconnect: {
            // A first wait above the cap would make the cap the first wait anyway.
            initialDelayMs: Math.min(
              this.config.MCP_RECONNECT_INITIAL_MS,
              this.config.MCP_RECONNECT_MAX_DELAY_MS,
            ),
            maxDelayMs: this.config.MCP_RECONNECT_MAX_DELAY_MS,
          },
        },
        this.logger,
        {
          tools: (listed) => this.register(upstream, listed),
          down: () => this.registry.removeSource(sourceId),
        },
      );
      this.upstreams.set(server.name, upstream);
    }
    await Promise.allSettled([...this.upstreams.values()].map((u) => u.connect()));
  }

  status(): McpServerStatus[] {
    return [...this.upstreams.values()].map((u) => u.status());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.upstreams.values()].map((u) => u.close()));
  }

  private register(upstream: McpUpstream, listed: unknown[]): void {
    const server = upstream.config;
    const sourceId = `mcp:${server.name}`;
    const { tools, skipped } = toDefinitions(server, listed, this.config.MCP_TOOL_TIMEOUT_MS);
    const accepted: {
      definition: ReturnType<typeof parseDefinition>;
      implementation: ToolImplementation;
    }[] = [];
    for (const tool of tools) {
      const problem = this.problemOf(tool, sourceId);
      if (problem) {
        skipped.push(`${tool.upstreamName}: ${problem}`);
        continue;
      }
      const { upstreamName, ...input } = tool;
      const definition = parseDefinition(
        { definition: input, run: async () => undefined },
        `tool ${tool.name}`,
      );
      accepted.push({
        definition,
        implementation: {
          definition: input,
          run: async (args, ctx) =>
            toToolOutput(
              definition.name,
              await upstream.call(upstreamName, args, ctx.signal, definition.timeoutMs, ctx.answer),
            ),
        },
      });
    }
    if (skipped.length)
      this.logger.warn({ server: server.name, skipped }, 'skipped tools of an MCP server');
    this.registry.replaceSource(sourceId, accepted);
    this.logger.info(
      { server: server.name, tools: accepted.map((t) => t.definition.name) },
      'registered the tools of an MCP server',
    );
  }

  /** Why an upstream tool cannot be offered (invalid definition or schema, name taken), if it cannot. */
  private problemOf(tool: UpstreamToolDefinition, sourceId: string): string | undefined {
    const { upstreamName: _, ...input } = tool;
    try {
      parseDefinition({ definition: input, run: async () => undefined }, 'definition');
    } catch (e) {
      return isDomainError(e) ? e.message : 'invalid definition';
    }
    const schemaProblem =
      this.validator.problemOf(tool.inputSchema) ??
      (tool.outputSchema ? this.validator.problemOf(tool.outputSchema) : undefined);
    if (schemaProblem) return `its schema does not compile: ${schemaProblem}`;
    const owner = this.registry.ownerOf(tool.name);
    if (owner && owner !== sourceId) return `"${tool.name}" is already defined by ${owner}`;
    return undefined;
  }
}
