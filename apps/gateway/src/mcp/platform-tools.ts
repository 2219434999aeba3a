import { Injectable } from '@nestjs/common';
import { type Actor, type Approvals, type Tasks, Tools } from '@switchboard/contracts';
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
   * The tool as the caller's manifest offers it, when its calls need approval (they then run as a
   * one-call task, McpApprovals); undefined for any other tool, which is called directly.
   */
  async gated(
    actor: Actor,
    tool: string,
    constraints: Tasks.ToolConstraints | undefined,
  ): Promise<(Tools.ManifestTool & { approval: Approvals.ApprovalPolicy }) | undefined> {
    const offered = (await this.manifest(actor, constraints)).tools.find((t) => t.name === tool);
    return offered?.approval ? { ...offered, approval: offered.approval } : undefined;
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
