import { Approvals, DomainError, Tools } from '@switchboard/contracts';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseYaml } from '@switchboard/config';
import type { z } from 'zod';
import {
  normalizeApproval,
  normalizeMcpServerEntry,
  normalizeProviderEntry,
  normalizeToolEntry,
  type Normalized,
} from './definition.normalizer.js';
import {
  type ApprovalsSection,
  credentialRefs,
  McpServerConfig,
  ProviderConfig,
  type ToolsFileContent,
} from './tools-file.schema.js';

/** A tools file or MCP_SERVERS value that does not validate; the message lists every problem. */
export class ToolsFileError extends DomainError {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      'VALIDATION',
      `invalid ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        details: { source, problems },
      },
    );
  }
}

const TOP_LEVEL_KEYS = new Set([
  'version',
  'providers',
  'tools',
  'mcpServers',
  'mcp_servers',
  'approvals',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a tools file (YAML for .yaml/.yml, JSON for .json; otherwise YAML, a superset of JSON). */
export function readToolsFile(path: string, builtinRefs: ReadonlySet<string>): ToolsFileContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ToolsFileError(`TOOLS_FILE ${path}`, [
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  const ext = extname(path).toLowerCase();
  return parseToolsDocument(
    text,
    `TOOLS_FILE ${path}`,
    ext === '.json' ? 'json' : 'yaml',
    builtinRefs,
  );
}

export function parseToolsDocument(
  text: string,
  source: string,
  format: 'json' | 'yaml',
  builtinRefs: ReadonlySet<string>,
): ToolsFileContent {
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ToolsFileError(source, [
      `is not valid ${format.toUpperCase()}: ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
  const problems: string[] = [];
  // The legacy spelling is a plain list of tool definitions.
  const root: Record<string, unknown> = Array.isArray(doc)
    ? { tools: doc }
    : isObject(doc)
      ? doc
      : {};
  if (!Array.isArray(doc) && !isObject(doc))
    problems.push(
      '(root): must be an object with providers, tools and mcpServers, or a list of tools',
    );
  for (const key of Object.keys(root)) {
    if (!TOP_LEVEL_KEYS.has(key))
      problems.push(`${key}: is not a known section (providers, tools, mcpServers, approvals)`);
  }
  if ('mcpServers' in root && 'mcp_servers' in root)
    problems.push('mcp_servers: give either mcpServers or mcp_servers');
  const content: ToolsFileContent = {
    providers: validateList(
      root['providers'],
      'providers',
      problems,
      normalizeProviderEntry,
      ProviderConfig,
    ),
    tools: validateTools(root['tools'], problems, builtinRefs),
    mcpServers: validateServers(root['mcpServers'] ?? root['mcp_servers'], 'mcpServers', problems),
    approvals: validateApprovals(root['approvals'], problems),
  };
  checkUnique(
    content.providers.map((p) => p.name),
    'providers',
    problems,
  );
  checkUnique(
    content.tools.map((t) => t.name),
    'tools',
    problems,
  );
  checkUnique(
    content.mcpServers.map((s) => s.name),
    'mcpServers',
    problems,
  );
  if (problems.length) throw new ToolsFileError(source, problems);
  return content;
}

/** The MCP_SERVERS setting: a JSON list of servers or an object keyed by server name. */
export function parseMcpServersJson(text: string, source = 'MCP_SERVERS'): McpServerConfig[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ToolsFileError(source, [`is not valid JSON: ${(e as Error).message}`]);
  }
  const problems: string[] = [];
  const servers = validateServers(
    isObject(doc) && isObject(doc['mcpServers']) ? doc['mcpServers'] : doc,
    source,
    problems,
  );
  checkUnique(
    servers.map((s) => s.name),
    source,
    problems,
  );
  if (problems.length) throw new ToolsFileError(source, problems);
  return servers;
}

function validateTools(
  raw: unknown,
  problems: string[],
  builtinRefs: ReadonlySet<string>,
): Tools.ToolDefinition[] {
  const tools = validateList(
    raw,
    'tools',
    problems,
    (entry) => normalizeToolEntry(entry, builtinRefs),
    Tools.ToolDefinition,
  );
  tools.forEach((tool) => {
    const label = `tools ("${tool.name}")`;
    if (tool.handler.kind === 'http_endpoint') {
      const { url, headers, query } = tool.handler;
      const templates: [string, string][] = [
        ['handler.url', url],
        ...Object.entries(headers).map(([k, v]): [string, string] => [`handler.headers.${k}`, v]),
        ...Object.entries(query).map(([k, v]): [string, string] => [`handler.query.${k}`, v]),
      ];
      for (const [field, template] of templates) {
        for (const name of credentialRefs(template)) {
          if (!tool.requiredCredentials.includes(name)) {
            problems.push(`${label}: ${field}: {{${name}}} is not listed in requiredCredentials`);
          }
        }
      }
    }
  });
  return tools;
}

/**
 * The `approvals` section: tool name → approval policy. Whether each name is a tool is checked once
 * every source is known (loadToolSources): built-ins and MCP servers are not in this file.
 */
function validateApprovals(raw: unknown, problems: string[]): ApprovalsSection {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    problems.push('approvals: must be an object of tool name → approval policy');
    return {};
  }
  const out: ApprovalsSection = {};
  for (const [name, value] of Object.entries(raw)) {
    const where = `approvals.${name}`;
    const named = Tools.ToolName.safeParse(name);
    if (!named.success) problems.push(`${where}: ${named.error.issues[0]?.message ?? 'invalid'}`);
    const found: string[] = [];
    const parsed = Approvals.ApprovalPolicy.safeParse(normalizeApproval(value, found));
    if (!parsed.success) found.push(...parsed.error.issues.map(issueText));
    problems.push(...found.map((p) => `${where}: ${p}`));
    if (named.success && parsed.success && found.length === 0) out[name] = parsed.data;
  }
  return out;
}

function issueText(i: z.core.$ZodIssue): string {
  const path = i.path.map(String).join('.');
  return path ? `${path}: ${i.message}` : i.message;
}

function validateServers(raw: unknown, where: string, problems: string[]): McpServerConfig[] {
  if (isObject(raw)) {
    // `{ "github": { "command": … } }`, as MCP clients write it.
    return Object.entries(raw).flatMap(([name, entry]) =>
      validateEntry(
        entry,
        `${where}.${name}`,
        problems,
        (e) => normalizeMcpServerEntry(e, name),
        McpServerConfig,
      ),
    );
  }
  return validateList(raw, where, problems, (e) => normalizeMcpServerEntry(e), McpServerConfig);
}

function validateList<S extends z.ZodType>(
  raw: unknown,
  where: string,
  problems: string[],
  normalize: (entry: unknown) => Normalized,
  schema: S,
): z.infer<S>[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${where}: must be a list`);
    return [];
  }
  return raw.flatMap((entry, i) =>
    validateEntry(entry, `${where}[${i}]`, problems, normalize, schema),
  );
}

/** Validates one entry; problems are prefixed with where it is and, when it has one, its name. */
function validateEntry<S extends z.ZodType>(
  entry: unknown,
  where: string,
  problems: string[],
  normalize: (entry: unknown) => Normalized,
  schema: S,
): z.infer<S>[] {
  const name = isObject(entry) && typeof entry['name'] === 'string' ? ` ("${entry['name']}")` : '';
  const label = `${where}${name}`;
  const normalized = normalize(entry);
  const parsed = schema.safeParse(normalized.value);
  const found = [
    ...normalized.problems,
    ...(parsed.success ? [] : parsed.error.issues.map(issueText)),
  ];
  problems.push(...found.map((p) => `${label}: ${p}`));
  return parsed.success && normalized.problems.length === 0 ? [parsed.data] : [];
}

function checkUnique(names: string[], where: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) problems.push(`${where}: "${name}" is defined twice`);
    seen.add(name);
  }
}
