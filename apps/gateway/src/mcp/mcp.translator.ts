import { ErrorCode, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import {
  CONTROL_CHARS_MESSAGE,
  DomainError,
  hasControlChars,
  isDomainError,
  Tasks,
  Tools,
} from '@switchboard/contracts';
import { z } from 'zod';

/**
 * Maps the platform's tool contracts to MCP (2025-11-25) and back; the only file of this edge that
 * speaks MCP types besides the session plumbing. Schemas pass through untouched (no `$schema` rewrite).
 */

/** Our `_meta` key on listed tools (reverse-DNS, as the spec asks for vendor keys). */
export const META_PROVIDER = 'dev.switchboard/provider';

/**
 * Our `_meta` key on a `tools/call` request that puts the call on a thread (docs/mcp.md): the call
 * then runs as a one-call task in that thread, under `policy` (or THREAD_POLICY_DEFAULT), as a message
 * through any other surface does (docs/api.md, "Threads").
 */
export const META_THREAD = 'dev.switchboard/thread';

const CallThread = z.object({ id: Tasks.ThreadId, policy: Tasks.ThreadPolicy.optional() }).strict();
export type CallThread = z.infer<typeof CallThread>;

/** A tools/call's tool name: one no tool could have is -32602 (unknown tool) before anything runs. */
export function assertToolName(name: string): void {
  if (!Tools.ToolName.safeParse(name).success)
    throw new ProtocolError(ErrorCode.InvalidParams, `unknown tool "${name.slice(0, 128)}"`);
}

/** A tools/call's tool name, checked first (assertToolName), and its arguments (none given: `{}`). */
export function toolCallOf(params: {
  name: string;
  arguments?: Record<string, unknown> | undefined;
}): {
  name: string;
  args: Record<string, unknown>;
} {
  assertToolName(params.name);
  return { name: params.name, args: params.arguments ?? {} };
}

/** The thread a call's `_meta` names, if any; a malformed one is -32602 naming the field. */
export function callThreadOf(meta: Record<string, unknown> | undefined): CallThread | undefined {
  const given = meta?.[META_THREAD];
  if (given === undefined) return undefined;
  const parsed = CallThread.safeParse(given);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [`_meta["${META_THREAD}"]`, ...(issue?.path ?? [])].join('.');
  throw new ProtocolError(ErrorCode.InvalidParams, `${field}: ${issue?.message ?? 'invalid'}`);
}

export function toMcpTool(tool: Tools.ManifestTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    ...(tool.outputSchema
      ? { outputSchema: tool.outputSchema as NonNullable<Tool['outputSchema']> }
      : {}),
    annotations: { idempotentHint: tool.idempotent },
    _meta: { [META_PROVIDER]: tool.provider },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The path of the first string (or key) in `value` holding a control character, or undefined. */
export function controlCharPath(value: unknown, path = 'arguments'): string | undefined {
  if (typeof value === 'string') return hasControlChars(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = controlCharPath(v, `${path}.${i}`);
      if (at) return at;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (hasControlChars(k)) return `${path} (a key)`;
      const at = controlCharPath(v, `${path}.${k}`);
      if (at) return at;
    }
  }
  return undefined;
}

/**
 * Refuses tool arguments with control characters before they reach a tool (PostgreSQL cannot even
 * store NUL). A VALIDATION error, so the caller gets a tool error result naming the field.
 */
export function assertCleanArguments(args: Record<string, unknown>): void {
  const at = controlCharPath(args);
  if (at) {
    throw new DomainError('VALIDATION', `invalid arguments: ${at}: ${CONTROL_CHARS_MESSAGE}`, {
      details: { issues: [{ path: at, message: CONTROL_CHARS_MESSAGE }] },
    });
  }
}

/**
 * A tool's result as a `CallToolResult`: its MCP content blocks when it came with them (external MCP
 * servers), otherwise the output as text; an object output is also the `structuredContent` (it was
 * validated against the tool's output schema when the tool has one).
 */
export function toCallToolResult(result: Tools.ToolCallResult): CallToolResult {
  const { output } = result;
  const text = typeof output === 'string' ? output : JSON.stringify(output ?? null);
  return {
    content: (result.content as CallToolResult['content'] | undefined) ?? [{ type: 'text', text }],
    ...(isPlainObject(output) ? { structuredContent: output } : {}),
  };
}

/**
 * A JSON-RPC error as the SDK sends it: `code`, `message` and `data` go out as they are. (The SDK's
 * McpError prefixes its message with "MCP error <code>:", which a client's McpError then repeats.)
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * A failed call. A call refused before its tool ran — an unknown tool, or one the caller may not use
 * (mcp-tools marks those with `details.refusal`) — is a protocol error, as MCP treats an unknown tool:
 * the client was never offered it. Everything else is the tool's own failure, a result with
 * `isError: true` the model can read and recover from: bad arguments, a note that does not exist,
 * timeouts, upstream failures.
 */
export function toCallFailure(tool: string, e: unknown): CallToolResult {
  if (!isDomainError(e))
    throw new ProtocolError(ErrorCode.InternalError, `tool ${tool} failed unexpectedly`);
  const refusal = Tools.toolRefusalOf(e.details);
  if (refusal) {
    throw new ProtocolError(
      ErrorCode.InvalidParams,
      `tool ${tool} is not available to you: ${e.message}`,
      { code: e.code, refusal },
    );
  }
  return { content: [{ type: 'text', text: `${e.code}: ${e.message}` }], isError: true };
}

/** A failure to list tools (the tools service is unavailable, …) as a JSON-RPC error. */
export function toListFailure(e: unknown): ProtocolError {
  const message = isDomainError(e) ? `${e.code}: ${e.message}` : 'the tool list is unavailable';
  return new ProtocolError(ErrorCode.InternalError, message);
}
