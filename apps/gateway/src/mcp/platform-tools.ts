import { Injectable } from '@nestjs/common';
import { type Actor, type Tasks, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';

/**
 * What an MCP session may do, as the caller: list its manifest and call a tool. mcp-tools enforces
 * roles, admin-only tools, provider authorizations and constraints on both.
 */
@Injectable()
export class PlatformTools {
  constructor(private readonly bus: NatsBus) {}

  manifest(actor: Actor, constraints: Tasks.ToolConstraints | undefined): Promise<Tools.Manifest> {
    return this.bus.request(Tools.ToolsManifest, constraints ? { constraints } : {}, { actor });
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
