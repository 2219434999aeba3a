import { z } from 'zod';
import { ApprovalPolicy } from '../approval/approval.schemas.js';
import { AuditRecord } from '../audit/audit.schemas.js';
import { Role } from '../identity.schemas.js';
import { ToolConstraints } from '../task/task.schemas.js';
import { StorableJsonObject } from '../text.schemas.js';
import { ToolCallAnswer } from './tool-input-required.js';
import { ToolName } from './tool-name.schemas.js';

export { ToolName };

export const ProviderName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "_" or "-"');

/** A JSON Schema object describing a tool's input or output (validated with Ajv at call time). */
export const JsonSchemaObject = z
  .record(z.string(), z.unknown())
  .refine((s) => s['type'] === 'object', 'must be a JSON Schema with "type": "object"');
export type JsonSchemaObject = z.infer<typeof JsonSchemaObject>;

export const ToolHandler = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), ref: z.string().min(1) }).strict(),
  z
    .object({
      kind: z.literal('http_endpoint'),
      url: z.string().url(),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      /** Where credentials go: header name → `{{CREDENTIAL_NAME}}` template, or query parameters. */
      headers: z.record(z.string(), z.string()).default({}),
      query: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
  z.object({ kind: z.literal('mcp'), server: z.string().min(1), tool: z.string().min(1) }).strict(),
]);
export type ToolHandler = z.infer<typeof ToolHandler>;

/** How long a caller waits for one tool call (`ToolsCall`'s timeout). */
export const TOOL_CALL_WAIT_MS = 60_000;
/**
 * The longest `timeoutMs` a tool may have: its own timeout must fire well before callers give up, so
 * they get the tool's TIMEOUT (and the call is aborted) instead of abandoning a call that keeps running.
 */
export const MAX_TOOL_TIMEOUT_MS = TOOL_CALL_WAIT_MS - 10_000;

/** A tool definition. Lives only inside mcp-tools: handlers and credentials never leave it. */
export const ToolDefinition = z
  .object({
    name: ToolName,
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(2_000),
    provider: ProviderName,
    inputSchema: JsonSchemaObject,
    outputSchema: JsonSchemaObject.optional(),
    handler: ToolHandler,
    requiredCredentials: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).default([]),
    requiredRole: Role.optional(),
    adminOnly: z.boolean().default(false),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(
        MAX_TOOL_TIMEOUT_MS,
        `must be at most ${MAX_TOOL_TIMEOUT_MS} ms (callers wait ${TOOL_CALL_WAIT_MS} ms for a tool call)`,
      )
      .default(10_000),
    idempotent: z.boolean().default(false),
    /** A person decides before each call runs (docs/approvals.md). */
    approval: ApprovalPolicy.optional(),
    /**
     * Left out of a model's first offer (found with the search tool): `true` always, `false` never
     * (pinned, even past the automatic threshold); absent: automatic (docs/tools.md).
     */
    deferred: z.boolean().optional(),
  })
  .strict();
export type ToolDefinition = z.infer<typeof ToolDefinition>;
export type ToolDefinitionInput = z.input<typeof ToolDefinition>;

/** What a caller is offered: the public face of a tool. */
export const ManifestTool = z.object({
  name: ToolName,
  title: z.string(),
  description: z.string(),
  provider: ProviderName,
  inputSchema: JsonSchemaObject,
  outputSchema: JsonSchemaObject.optional(),
  idempotent: z.boolean(),
  /** The role the tool asks for (admins pass any), as the caller's manifest shows it. */
  requiredRole: Role.optional(),
  /** Offered to admins only. */
  adminOnly: z.boolean().optional(),
  /** Each call waits for a person's decision (docs/approvals.md). */
  approval: ApprovalPolicy.optional(),
  /** Not offered to a model until a search (SEARCH_TOOL_NAME) finds it (docs/tools.md). */
  deferred: z.boolean().optional(),
});
export type ManifestTool = z.infer<typeof ManifestTool>;

/**
 * A tool the caller would be offered if the platform had it configured (a required setting or
 * credential is unset): not in `tools`, so neither models nor MCP clients see it.
 */
export const UnconfiguredTool = z.object({
  name: ToolName,
  title: z.string(),
  provider: ProviderName,
  /** The unset settings or credentials (names only). */
  needs: z.array(z.string()),
  /** `<tool> is not configured on this platform: it needs … (docs/tools.md)`. */
  reason: z.string(),
});
export type UnconfiguredTool = z.infer<typeof UnconfiguredTool>;

export const Manifest = z.object({
  tools: z.array(ManifestTool),
  /** Tools left out because they are not configured here, with what they need (absent when none). */
  unconfigured: z.array(UnconfiguredTool).optional(),
  mode: z.enum(['auto', 'custom']),
  generatedAt: z.string().datetime(),
  /** True when served from the per-user cache. */
  cached: z.boolean(),
});
export type Manifest = z.infer<typeof Manifest>;

export const ManifestRequest = z
  .object({
    constraints: ToolConstraints.optional(),
    taskId: z.string().uuid().optional(),
  })
  .strict();
export type ManifestRequest = z.infer<typeof ManifestRequest>;

export const ToolCallRequest = z
  .object({
    tool: ToolName,
    /** Stored (idempotency records, steps) as jsonb: a string holding NUL is refused, by its path. */
    input: StorableJsonObject,
    constraints: ToolConstraints.optional(),
    taskId: z.string().uuid().optional(),
    stepId: z.string().max(64).optional(),
    /** Calls repeated with the same key (e.g. after an orchestrator crash) return the first result. */
    idempotencyKey: z.string().min(8).max(200).optional(),
    /** The decided approval this call runs under (a tool whose policy needs one is refused without it). */
    approval: z.object({ id: z.string().uuid(), argsHash: z.string() }).strict().optional(),
    /** A person's answer to the question the tool's MCP server asked on an earlier call (input_required). */
    answer: ToolCallAnswer.optional(),
    /**
     * The caller commits the call's success audit record with its own step (the orchestrator's
     * JournalOutbox) and relays it: the record comes back as the result's `audit` instead of being
     * published to SB_AUDIT. Honoured only for a call of a task (`taskId`) with an `idempotencyKey`
     * whose reply goes to the orchestrator's inbox; anyone else's call is audited as without it.
     * Failures and refusals are published as always.
     */
    auditInReply: z.boolean().optional(),
  })
  .strict();
export type ToolCallRequest = z.infer<typeof ToolCallRequest>;

/**
 * A piece of a tool's result in MCP's shape (2025-11-25 `ContentBlock`): what tools of external MCP
 * servers return besides (or instead of) structured output, kept so the platform's own MCP endpoint can
 * hand it on unchanged. Unknown extra fields (annotations, `_meta`) are kept.
 */
export const ContentBlock = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('image'), data: z.string(), mimeType: z.string() }),
  z.looseObject({ type: z.literal('audio'), data: z.string(), mimeType: z.string() }),
  z.looseObject({ type: z.literal('resource_link'), uri: z.string(), name: z.string() }),
  z.looseObject({ type: z.literal('resource'), resource: z.looseObject({ uri: z.string() }) }),
]);
export type ContentBlock = z.infer<typeof ContentBlock>;

export const ToolCallResult = z.object({
  tool: ToolName,
  /** The tool's result: structured output (validated against its output schema when it has one). */
  output: z.unknown(),
  /** MCP content blocks, when the tool (an external MCP server's) produced them. */
  content: z.array(ContentBlock).optional(),
  durationMs: z.number().nonnegative(),
  /** True when the result is a replay of an earlier call with the same idempotency key. */
  replayed: z.boolean(),
  /**
   * The call's success audit record, not published (present only when the request's `auditInReply`
   * was honoured): the caller owes it with the step that stores this result. Its id comes from the
   * idempotency key, so a repeat's record is the same one and the trail chains it once.
   */
  audit: AuditRecord.optional(),
});
export type ToolCallResult = z.infer<typeof ToolCallResult>;

export const Note = z.object({
  id: z.string().uuid(),
  title: z.string().nullable(),
  content: z.string(),
  createdAt: z.string().datetime(),
});
export type Note = z.infer<typeof Note>;
