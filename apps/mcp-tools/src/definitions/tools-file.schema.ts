import { Approvals, Role, Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { MAX_TOOL_TIMEOUT_MS, timeoutTooLong } from '../tools/tool-timeouts.js';

/** A credential's name: what the environment variable (or secrets file key) is called. */
export const CredentialName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE_CASE name');

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');

/** A provider's settings. Providers nobody declares need no authorization. */
export const ProviderConfig = z
  .object({
    name: Tools.ProviderName,
    title: z.string().min(1).max(200).optional(),
    description: z.string().min(1).max(2_000).optional(),
    /** Users must be granted this provider (AuthorizationGrant) before `auto` offers its tools. */
    requiresAuthorization: z.boolean().default(false),
  })
  .strict();
export type ProviderConfig = z.infer<typeof ProviderConfig>;

/** Access settings for one tool of an external MCP server (upstream annotations are never trusted). */
const McpToolPolicy = z
  .object({
    requiredRole: Role.optional(),
    adminOnly: z.boolean().optional(),
    timeoutMs: z.number().int().min(1).max(MAX_TOOL_TIMEOUT_MS, timeoutTooLong).optional(),
    idempotent: z.boolean().optional(),
    /** Replaces the server's `approval` for this tool; `false`: its calls need none. */
    approval: z.union([Approvals.ApprovalPolicy, z.literal(false)]).optional(),
    /** Replaces the server's `deferred` for this tool (`false`: offered up front, pinned). */
    deferred: z.boolean().optional(),
  })
  .strict();

const mcpServerCommon = {
  /** The alias: the provider name of its tools and their prefix (`<name>__<tool>`). */
  name: Tools.ProviderName.max(40),
  title: z.string().min(1).max(200).optional(),
  description: z.string().min(1).max(2_000).optional(),
  requiresAuthorization: z.boolean().default(false),
  /** Applied to every tool of the server unless `tools.<name>` says otherwise. */
  requiredRole: Role.optional(),
  adminOnly: z.boolean().default(false),
  timeoutMs: z.number().int().min(1).max(MAX_TOOL_TIMEOUT_MS, timeoutTooLong).optional(),
  /** Each call of the server's tools waits for a person's approval (docs/approvals.md). */
  approval: Approvals.ApprovalPolicy.optional(),
  /**
   * The server's tools are found with the search tool instead of offered up front (`true`), or always
   * offered (`false`, pinned past the automatic threshold); absent: automatic (docs/tools.md).
   */
  deferred: z.boolean().optional(),
  /** Upstream tool names to offer (all when absent) and to hide. */
  include: z.array(z.string().min(1).max(128)).max(1_000).optional(),
  exclude: z.array(z.string().min(1).max(128)).max(1_000).default([]),
  /** Per upstream tool: role, admin-only, timeout, idempotency, approval. */
  tools: z.record(z.string().min(1).max(128), McpToolPolicy).default({}),
};

/**
 * An external MCP server. `{{NAME}}` in `env` (stdio) or `headers` (HTTP) is replaced by the credential
 * NAME when connecting; the value never appears in a definition, a log line or a manifest.
 */
export const McpServerConfig = z.discriminatedUnion('transport', [
  z
    .object({
      ...mcpServerCommon,
      transport: z.literal('stdio'),
      command: z.string().min(1).max(1_000),
      args: z.array(z.string().max(4_000)).max(100).default([]),
      env: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
          z.string(),
        )
        .default({}),
      cwd: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ...mcpServerCommon,
      transport: z.literal('http'),
      url: httpUrl,
      headers: z
        .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'), z.string())
        .default({}),
    })
    .strict(),
]);
export type McpServerConfig = z.infer<typeof McpServerConfig>;

/**
 * The tools file's `approvals` section: the approval policy of any tool by name (built-ins, the file's
 * tools, `<server>__<tool>` of an MCP server), replacing what its definition says.
 */
export type ApprovalsSection = Record<string, Approvals.ApprovalPolicy>;

/** What a tools file holds once its entries are validated and normalised. */
export interface ToolsFileContent {
  providers: ProviderConfig[];
  tools: Tools.ToolDefinition[];
  mcpServers: McpServerConfig[];
  approvals: ApprovalsSection;
}

/** `{{NAME}}` placeholders (credential names) in a template string. */
export function credentialRefs(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] as string);
}

/** Fills `{{NAME}}` placeholders from `values`; a name without a value stays unresolved (caller checks). */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(
    /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g,
    (whole, name: string) => values[name] ?? whole,
  );
}
