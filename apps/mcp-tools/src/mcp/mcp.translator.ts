import { DomainError, Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { credentialRefs, type McpServerConfig } from '../definitions/tools-file.schema.js';
import { RichToolOutput } from '../registry/tool-implementation.js';

/**
 * The one place that maps MCP (2025-11-25) shapes to the platform's. Everything an external server
 * sends is untrusted: tool lists and results are validated here, naming the field, and what does not
 * validate is skipped (a tool) or refused (a result) rather than passed on. Annotations are ignored
 * for authorization: access comes only from our configuration.
 */

/** Separator between a server's alias and its tool's name (`github__search_issues`). */
export const NAME_SEPARATOR = Tools.MCP_TOOL_SEPARATOR;

const ObjectSchema = z
  .record(z.string(), z.unknown())
  .refine((s) => s['type'] === 'object', 'must be a JSON Schema with "type": "object"');

/** The fields of an upstream `Tool` we use; other fields (annotations, icons, _meta) are not trusted. */
const UpstreamTool = z.object({
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.-]+$/, 'may hold letters, digits and . _ - only'),
  title: z.string().max(10_000).optional(),
  description: z.string().max(100_000).optional(),
  inputSchema: ObjectSchema,
  outputSchema: ObjectSchema.optional(),
});

const UpstreamResult = z.object({
  content: z.array(Tools.ContentBlock).max(1_000).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});

export type UpstreamToolDefinition = Tools.ToolDefinitionInput & { upstreamName: string };

export type TranslatedTools = { tools: UpstreamToolDefinition[]; skipped: string[] };

/** The credential names a server's connection settings refer to (scrubbed from everything it returns). */
export function serverCredentials(server: McpServerConfig): string[] {
  const templates =
    server.transport === 'stdio' ? Object.values(server.env) : Object.values(server.headers);
  return [...new Set(templates.flatMap(credentialRefs))].sort();
}

/**
 * Tool definitions for a server's `tools/list` answer: named `<alias>__<tool>`, under the server's
 * provider, with access settings from the server's configuration. Invalid, excluded, clashing or
 * too-long names are skipped with a reason.
 */
export function toDefinitions(
  server: McpServerConfig,
  listed: readonly unknown[],
  defaultTimeoutMs: number,
): TranslatedTools {
  const tools: UpstreamToolDefinition[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  const credentials = serverCredentials(server);
  listed.forEach((raw, i) => {
    const parsed = UpstreamTool.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push(
        `tools[${i}]: ${issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      );
      return;
    }
    const tool = parsed.data;
    if (server.include && !server.include.includes(tool.name)) return;
    if (server.exclude.includes(tool.name)) return;
    const name = `${server.name}${NAME_SEPARATOR}${tool.name}`;
    if (!Tools.ToolName.safeParse(name).success) {
      skipped.push(`${tool.name}: "${name}" is longer than 128 characters`);
      return;
    }
    if (seen.has(name)) {
      skipped.push(`${tool.name}: listed twice`);
      return;
    }
    seen.add(name);
    const policy = server.tools[tool.name] ?? {};
    const requiredRole = policy.requiredRole ?? server.requiredRole;
    // The tool's own setting wins, `false` included (no approval although the server asks for one).
    const approval = policy.approval === false ? undefined : (policy.approval ?? server.approval);
    const deferred = policy.deferred ?? server.deferred;
    tools.push({
      upstreamName: tool.name,
      name,
      title: clip(tool.title || tool.name, 200),
      description: clip(
        tool.description || `Tool ${tool.name} of the ${server.name} MCP server.`,
        2_000,
      ),
      provider: server.name,
      inputSchema: tool.inputSchema,
      ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
      handler: { kind: 'mcp', server: server.name, tool: tool.name },
      requiredCredentials: credentials,
      ...(requiredRole ? { requiredRole } : {}),
      adminOnly: policy.adminOnly ?? server.adminOnly,
      timeoutMs: policy.timeoutMs ?? server.timeoutMs ?? defaultTimeoutMs,
      idempotent: policy.idempotent ?? false,
      ...(approval ? { approval } : {}),
      ...(deferred !== undefined ? { deferred } : {}),
    });
  });
  return { tools, skipped };
}

/**
 * A `tools/call` result as the tool's output: its `structuredContent` when it has one, otherwise
 * `{ text }` joining its text blocks; the content blocks travel alongside. `isError` results become
 * UPSTREAM_ERROR carrying the server's text, so the model can read what went wrong.
 */
export function toToolOutput(tool: string, raw: unknown): RichToolOutput {
  const parsed = UpstreamResult.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'UPSTREAM_ERROR',
      `${tool}: the MCP server answered an invalid result (${issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid'})`,
    );
  }
  const { content, structuredContent, isError } = parsed.data;
  const text = content
    .filter((b): b is Extract<Tools.ContentBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
  if (isError) {
    throw new DomainError(
      'UPSTREAM_ERROR',
      `${tool} failed: ${clip(text || 'the MCP server reported an error', 1_000)}`,
      {
        details: { isError: true },
      },
    );
  }
  return new RichToolOutput(structuredContent ?? { text }, content);
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
