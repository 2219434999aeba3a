import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Tools } from '@switchboard/contracts';
import type { GatedCall } from './mcp-approvals.js';
import {
  assertCleanArguments,
  type CallThread,
  callThreadOf,
  toCallToolResult,
  toListFailure,
  toMcpTool,
  toolCallOf,
} from './mcp.translator.js';
import type { PlatformTools } from './platform-tools.js';
import { RUN_TASK_TOOL, runTaskRequestOf } from './run-task.tool.js';

/**
 * What both MCP revisions (mcp-sessions.ts for 2025-11-25, mcp-modern.server.ts for 2026-07-28) do
 * alike with tools: list them, and decide how a call runs. Each wraps the outcome in its own SDK.
 */

/** Who calls, as the gateway authenticated the request. */
export type ToolCaller = Pick<GatedCall, 'actor' | 'constraints'>;

/** `tools/list`: the caller's listed tools as MCP tools; a failure is a protocol error (toListFailure). */
export async function listMcpTools(tools: PlatformTools, caller: ToolCaller): Promise<Tool[]> {
  try {
    const manifest = await tools.listed(caller.actor, caller.constraints);
    return manifest.tools.map(toMcpTool);
  } catch (e) {
    throw toListFailure(e);
  }
}

/** A `tools/call` whose arguments are clean, with the tool as the caller's manifest offers it. */
export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
  /** Undefined when the tool is not offered: the direct call then answers why. */
  offered: Tools.ManifestTool | undefined;
  thread: CallThread | undefined;
}

/** A `tools/call` as read off the request, before anything runs. */
export type CallRequest = Omit<ToolCall, 'offered'>;

/**
 * A `tools/call`'s name, arguments and thread. Malformed protocol input (a tool name no tool can have,
 * a bad `_meta` thread) is a protocol error naming the field (-32602), thrown before anything runs:
 * the caller reads it outside its tool-error handling, which would report it as the tool failing.
 */
export function callRequestOf(params: {
  name: string;
  arguments?: Record<string, unknown> | undefined;
  _meta?: Record<string, unknown> | undefined;
}): CallRequest {
  return { ...toolCallOf(params), thread: callThreadOf(params._meta) };
}

/**
 * The call with its tool as the caller's manifest offers it. Arguments carrying control characters
 * are refused first (VALIDATION: a tool error the model can read, as an invalid argument is).
 */
export async function offeredCall(
  tools: PlatformTools,
  caller: ToolCaller,
  call: CallRequest,
): Promise<ToolCall> {
  assertCleanArguments(call.args);
  return { ...call, offered: await tools.offered(caller.actor, call.name, caller.constraints) };
}

/** How a call runs: answered by a direct call, or gated (the approvals run it as a task). */
export type CallRoute =
  | { answer: CallToolResult }
  | { gated: Pick<GatedCall, 'actor' | 'constraints' | 'tool' | 'input' | 'thread' | 'task'> };

/**
 * A tool that needs approval and a call on a thread run as a one-call task, the endpoint's own tool
 * (run-task.tool.ts) as a whole task; any other call, and one of a tool not offered, is direct.
 */
export async function routeCall(
  tools: PlatformTools,
  caller: ToolCaller,
  call: ToolCall,
): Promise<CallRoute> {
  const { actor, constraints } = caller;
  const { name, args, offered, thread } = call;
  const task = offered?.name === RUN_TASK_TOOL ? runTaskRequestOf(args, constraints) : undefined;
  if (!offered || (!task && !offered.approval && !thread))
    return { answer: toCallToolResult(await tools.call(actor, name, args, constraints)) };
  return { gated: { actor, constraints, tool: offered, input: args, thread, task } };
}
