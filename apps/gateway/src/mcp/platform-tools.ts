import { Injectable } from '@nestjs/common';
import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { runTaskTool } from './run-task.tool.js';

/**
 * What an MCP session may do, as the caller: list its manifest and call a tool. mcp-tools enforces
 * roles, admin-only tools, provider authorizations and constraints on both. The listing also offers
 * the endpoint's own tool, `switchboard.run_task` (run-task.tool.ts): everyone who may call the
 * endpoint may submit tasks. Not to an endpoint narrowed to named providers or tools
 * (`?providers=…&tools=…`): a whole task is none of them.
 */
@Injectable()
export class PlatformTools {
  constructor(private readonly bus: NatsBus) {}

  async manifest(
    actor: Actor,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<Tools.Manifest> {
    const manifest = await this.bus.request(
      Tools.ToolsManifest,
      constraints ? { constraints } : {},
      { actor },
    );
    if (narrowed(constraints)) return manifest;
    // Never two of one name: a registry tool of that name (there is none) would be shadowed.
    const tools = manifest.tools.filter((t) => t.name !== runTaskTool.name);
    return { ...manifest, tools: [...tools, runTaskTool] };
  }

  /**
   * What `tools/list` shows an MCP client: the manifest without its deferred tools (docs/tools.md
   * "Deferred tools and tool search"). When some are deferred the manifest offers `search_tools`, and
   * the client finds them with it; a deferred tool is called by name as any other (`offered`).
   */
  async listed(
    actor: Actor,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<Tools.Manifest> {
    const manifest = await this.manifest(actor, constraints);
    return { ...manifest, tools: manifest.tools.filter((t) => !t.deferred) };
  }

  /**
   * The tool as the caller's manifest offers it (with its approval policy when its calls need one:
   * they then run as a one-call task, McpApprovals); undefined when it is not offered, and the direct
   * call answers why.
   */
  async offered(
    actor: Actor,
    tool: string,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<Tools.ManifestTool | undefined> {
    return (await this.manifest(actor, constraints)).tools.find((t) => t.name === tool);
  }

  call(
    actor: Actor,
    tool: string,
    input: Record<string, unknown>,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<Tools.ToolCallResult> {
    return this.bus.request(
      Tools.ToolsCall,
      { tool, input, ...(constraints ? { constraints } : {}) },
      { actor },
    );
  }
}

/** Whether the endpoint was narrowed to named providers or tools (`?providers=…&tools=…`). */
function narrowed(constraints: Tasks.ToolConstraints | undefined): boolean {
  if (!constraints) return false;
  return (
    constraints.mode === 'custom' ||
    Boolean(constraints.providers?.length) ||
    Boolean(constraints.tools?.length)
  );
}
