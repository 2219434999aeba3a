import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import {
  parseMcpServersJson,
  readToolsFile,
  ToolsFileError,
} from '../definitions/tools-file.loader.js';
import type { McpServerConfig, ToolsFileContent } from '../definitions/tools-file.schema.js';
import { HttpEndpointTool } from '../http/http-endpoint.tool.js';
import { McpUpstreams } from '../mcp/mcp-upstreams.service.js';
import type { ToolImplementation } from './tool-implementation.js';
import { parseDefinition, ToolRegistry } from './tool-registry.service.js';

/** DI token of the configured sources (tools file and MCP servers), read once at boot. */
export const TOOL_SOURCES = Symbol.for('switchboard.tool-sources');

export interface ToolSources {
  file: ToolsFileContent;
  mcpServers: McpServerConfig[];
  /** The built-in tools to register: BUILTIN_TOOLS and the search tool (joined in AppModule). */
  builtins: readonly ToolImplementation[];
}

/**
 * Reads TOOLS_FILE and MCP_SERVERS. Any problem stops the boot with one message listing every entry
 * and field at fault: a service must not start with half its tools.
 */
export function loadToolSources(
  config: McpToolsEnv,
  builtins: readonly ToolImplementation[],
): ToolSources {
  const builtinRefs = new Set(builtins.map((b) => b.definition.name));
  const file: ToolsFileContent = config.TOOLS_FILE
    ? readToolsFile(config.TOOLS_FILE, builtinRefs)
    : { providers: [], tools: [], mcpServers: [], approvals: {} };
  const fromEnv = config.MCP_SERVERS ? parseMcpServersJson(config.MCP_SERVERS) : [];
  const mcpServers = [...file.mcpServers, ...fromEnv];
  const problems: string[] = [];
  const names = new Set<string>();
  for (const server of mcpServers) {
    if (names.has(server.name))
      problems.push(
        `mcpServers: "${server.name}" is configured in both TOOLS_FILE and MCP_SERVERS`,
      );
    names.add(server.name);
    if (file.providers.some((p) => p.name === server.name)) {
      problems.push(
        `mcpServers ("${server.name}"): provider "${server.name}" is also declared under providers; configure it in one place`,
      );
    }
  }
  problems.push(...unknownApprovalNames(file.approvals, builtinRefs, file.tools, mcpServers));
  if (problems.length) throw new ToolsFileError('tool sources', problems);
  return { file, mcpServers, builtins };
}

/**
 * Names in the `approvals` section that can name no tool: not a built-in, not a tool of the file, and
 * not `<server>__<tool>` of a configured MCP server (whose tools are only known once it answers, so any
 * tool name it may offer — within its `include`, outside its `exclude` — is accepted).
 */
function unknownApprovalNames(
  approvals: ToolsFileContent['approvals'],
  builtinRefs: ReadonlySet<string>,
  fileTools: readonly Tools.ToolDefinition[],
  servers: readonly McpServerConfig[],
): string[] {
  const known = new Set([...builtinRefs, ...fileTools.map((t) => t.name)]);
  const offeredByServer = (name: string) =>
    servers.some((server) => {
      const prefix = `${server.name}${Tools.MCP_TOOL_SEPARATOR}`;
      if (!name.startsWith(prefix)) return false;
      const upstream = name.slice(prefix.length);
      return (
        upstream.length > 0 &&
        (server.include?.includes(upstream) ?? true) &&
        !server.exclude.includes(upstream)
      );
    });
  return Object.keys(approvals)
    .filter((name) => !known.has(name) && !offeredByServer(name))
    .map(
      (name) =>
        `approvals.${name}: no tool is called "${name}" (give a built-in, a tool of the tools file, or <server>${Tools.MCP_TOOL_SEPARATOR}<tool> of a configured MCP server)`,
    );
}

/**
 * Registers the built-in tools and those of the tools file, and declares providers (the file's and one
 * per MCP server); then has the external MCP servers connected, which register their own tools.
 */
@Injectable()
export class ToolSourcesLoader implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly registry: ToolRegistry,
    private readonly mcp: McpUpstreams,
    @Inject(TOOL_SOURCES) private readonly sources: ToolSources,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    // Before any tool is registered: the section applies to every source, MCP servers' included.
    this.registry.configureApprovals(this.sources.file.approvals);
    this.registry.replaceSource(
      'builtin',
      this.sources.builtins.map((implementation) => ({
        definition: parseDefinition(implementation, 'built-in tool'),
        implementation,
      })),
    );
    for (const provider of this.sources.file.providers) this.registry.declareProvider(provider);
    for (const server of this.sources.mcpServers) {
      this.registry.declareProvider({
        name: server.name,
        requiresAuthorization: server.requiresAuthorization,
        title: server.title,
        description: server.description,
      });
    }
    const fileTools = this.sources.file.tools.map((definition) => this.implement(definition));
    this.registry.replaceSource('file', fileTools);
    this.logger.info(
      {
        builtin: this.sources.builtins.map((b) => b.definition.name),
        file: fileTools.map((t) => t.definition.name),
        mcpServers: this.sources.mcpServers.map((s) => s.name),
        // Registered but offered to nobody until these settings or credentials are set.
        unconfigured: this.registry
          .list()
          .filter((t) => t.needs.length > 0)
          .map((t) => `${t.definition.name} (needs ${t.needs.join(', ')})`),
        needApproval: this.registry
          .list()
          .filter((t) => t.definition.approval)
          .map((t) => t.definition.name),
        providersRequiringAuthorization: this.registry
          .providers()
          .filter((p) => p.requiresAuthorization)
          .map((p) => p.name),
      },
      'tool sources loaded',
    );
  }

  onApplicationBootstrap(): Promise<void> {
    return this.mcp.connectAll(this.sources.mcpServers);
  }

  /** How a tools-file definition runs: a built-in implementation it names, or its HTTP endpoint. */
  private implement(definition: Tools.ToolDefinition): {
    definition: Tools.ToolDefinition;
    implementation: ToolImplementation;
  } {
    const handler = definition.handler;
    switch (handler.kind) {
      case 'http_endpoint':
        return {
          definition,
          implementation: new HttpEndpointTool(definition, {
            maxResponseBytes: this.config.TOOL_RESULT_MAX_BYTES,
          }),
        };
      case 'builtin': {
        const builtin = this.sources.builtins.find((b) => b.definition.name === handler.ref);
        if (!builtin)
          throw new ToolsFileError('TOOLS_FILE', [
            `tools ("${definition.name}"): handler.ref: no built-in "${handler.ref}"`,
          ]);
        // The built-in keeps the credentials it needs whatever the file's definition lists.
        const withCredentials = {
          ...definition,
          requiredCredentials: [
            ...new Set([
              ...definition.requiredCredentials,
              ...(builtin.definition.requiredCredentials ?? []),
            ]),
          ],
        };
        return {
          definition: withCredentials,
          implementation: {
            definition: withCredentials,
            // …and the settings it lacks: it cannot run under another name either.
            ...(builtin.unsetSettings ? { unsetSettings: builtin.unsetSettings } : {}),
            run: (input, ctx) => builtin.run(input, ctx),
          },
        };
      }
      case 'mcp':
        throw new ToolsFileError('TOOLS_FILE', [
          `tools ("${definition.name}"): handler: MCP tools come from mcpServers`,
        ]);
    }
  }
}
