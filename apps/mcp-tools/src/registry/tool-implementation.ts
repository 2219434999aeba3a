import type { Actor, Tasks, Tools } from '@switchboard/contracts';

/** What a tool implementation gets besides its (already validated) input. */
export interface ToolContext {
  actor: Actor;
  taskId?: string | undefined;
  /** The call's tool constraints (its task's): a tool that lists tools lists only those they allow. */
  constraints?: Tasks.ToolConstraints | undefined;
  /** Credentials named by the definition's `requiredCredentials`, injected at call time. */
  credentials: Readonly<Record<string, string>>;
  /** Aborted on timeout or when the task is cancelled; implementations pass it to their I/O. */
  signal: AbortSignal;
  /** The call's idempotency key, for a `keyed` implementation to store with its effect. */
  idempotencyKey?: string | undefined;
  /**
   * Set for an implementation that `completesItsCall`, when it may: the idempotency record to write,
   * completed with its output, in the statement of its effect.
   */
  call?: CallRecord | undefined;
  /**
   * A person's answer to the question the tool's MCP server asked on an earlier call (checked against
   * its approval before the call runs); only tools of external MCP servers use it.
   */
  answer?: Tools.ToolCallAnswer | undefined;
}

/** The idempotency record of one keyed call (ToolCall), as the statement of its effect writes it. */
export interface CallRecord {
  tenantId: string;
  key: string;
  userId: string;
  tool: string;
  /** The replica running it. */
  owner: string;
  /**
   * Set by the implementation when the key was taken before (a repeat, or a call under way): it did
   * nothing, and what it returns is ignored — the caller answers from the record instead.
   */
  taken?: boolean;
}

export interface ToolImplementation {
  readonly definition: Tools.ToolDefinitionInput;
  /**
   * The implementation does its work at most once per `ctx.idempotencyKey` by itself (run again under
   * the same key, it finds what the first run did): a call lost with its replica may run again.
   */
  readonly keyed?: boolean;
  /**
   * The implementation writes the call's idempotency record, completed with its output, in the same
   * statement as its effect (`ctx.call`), so no crash can fall between the effect and the record:
   * one database round trip for the whole call instead of claim, effect and completion.
   */
  readonly completesItsCall?: boolean;
  /**
   * Settings of this service the implementation requires and that are unset (`WEATHER_API_URL`): the
   * tool is then registered but not configured — offered to nobody, and refused by name with what it
   * needs. Missing credentials (`requiredCredentials`) are found by the registry itself.
   */
  readonly unsetSettings?: readonly string[];
  run(input: Record<string, unknown>, ctx: ToolContext): Promise<unknown>;
}

/**
 * A result that carries MCP content blocks besides its structured output (tools of external MCP
 * servers). Plain values returned by `run` are the output alone.
 */
export class RichToolOutput {
  constructor(
    readonly output: unknown,
    readonly content: Tools.ContentBlock[],
  ) {}
}

/** DI token collecting the built-in tools. */
export const BUILTIN_TOOLS = Symbol.for('switchboard.builtin-tools');

/** Where a provider (and its tools) came from. */
export type ToolSource = 'builtin' | 'file' | 'mcp';

/** A provider: a named group of tools that a user may have to authorize before using (per-user grants). */
export interface ProviderInfo {
  name: string;
  requiresAuthorization: boolean;
  title?: string | undefined;
  description?: string | undefined;
}
