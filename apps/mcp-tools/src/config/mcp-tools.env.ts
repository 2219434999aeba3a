import { BaseEnv, databaseUrl, envPort, redisUrl, tenantsFileSetting } from '@switchboard/config';
import { Tools } from '@switchboard/contracts';
import { z } from 'zod';
import { MAX_TOOL_TIMEOUT_MS } from '../tools/tool-timeouts.js';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');

/** A header or query parameter name (where the weather key goes). */
const fieldName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, "_" or "-"');

export const McpToolsEnv = BaseEnv.extend({
  PORT: envPort.default(3002).describe('HTTP port of /health, /readiness and /metrics.'),
  DATABASE_URL: databaseUrl
    .default('postgresql://postgres@127.0.0.1:5432/sb_tools')
    .describe(
      'PostgreSQL database of mcp-tools (notes, idempotency records, provider authorizations).',
    ),
  REDIS_URL: redisUrl
    .default('redis://127.0.0.1:6379')
    .describe('Redis holding the per-user manifest cache.'),
  REDIS_KEY_PREFIX: z
    .string()
    .max(64)
    .default('sb:')
    .describe('Prefix of every Redis key this service writes (tests use their own).'),
  MANIFEST_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe("How long a user's manifest stays cached; it is also invalidated on every change."),
  APPROVAL_POLICY_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(30_000)
    .describe(
      "How long a replica keeps a tenant's approval policy overrides in memory. A change is announced to every replica at once (sb.evt.tools.approval-policies.changed); this bounds how long a replica that missed the announcement serves the old overrides.",
    ),
  TOOLS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Path of a tools file (YAML or JSON): providers, tool definitions and external MCP servers (docs/tools.md).',
    ),
  MCP_SERVERS: z
    .string()
    .min(2)
    .optional()
    .describe(
      'External MCP servers as JSON (a list, or an object keyed by name), added to those of TOOLS_FILE (docs/mcp.md).',
    ),
  CREDENTIALS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Path of a mounted secrets file (JSON object or KEY=value lines) with tool credentials; its values win over the environment.',
    ),
  TENANTS_FILE: tenantsFileSetting,
  TENANT_CREDENTIALS_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Folder of tenants' own tool credentials: <tenant>.env or <tenant>.json (like CREDENTIALS_FILE), or a folder <tenant>/ with one file per credential (a mounted Kubernetes Secret). A tenant's own credential wins over the platform's, and is given to that tenant's calls only (docs/tenancy.md).",
    ),
  WEATHER_API_URL: httpUrl
    .optional()
    .describe(
      'Endpoint of the weather API behind the built-in `weather.current` tool (GET ?location=…). Unset (or WEATHER_API_KEY unset): the tool is offered to nobody, and asking for it by name says what it needs.',
    ),
  // The key itself is a credential: the CredentialStore reads it from the environment, the config only
  // records whether it is set, so no config object ever holds it.
  WEATHER_API_KEY: z
    .string()
    .optional()
    .transform((v) => v !== undefined && v.length > 0)
    .describe(
      'Secret key of the weather API, injected into each call; never returned, logged or audited.',
    ),
  WEATHER_API_KEY_HEADER: fieldName
    .default('x-api-key')
    .describe(
      'Request header that carries WEATHER_API_KEY (ignored when WEATHER_API_KEY_PARAM is set).',
    ),
  WEATHER_API_KEY_PARAM: fieldName
    .optional()
    .describe(
      'Query parameter that carries WEATHER_API_KEY instead of a header (e.g. `key` or `appid`).',
    ),
  TOOL_RESULT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(900_000)
    .default(262_144)
    .describe(
      'Largest tool result (JSON bytes) returned to callers; bigger ones fail with PAYLOAD_TOO_LARGE.',
    ),
  MCP_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(120_000)
    .default(10_000)
    .describe(
      'How long startup waits for each external MCP server to connect and list its tools (it keeps retrying after).',
    ),
  MCP_RECONNECT_INITIAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(500)
    .describe(
      'Wait before the first reconnection attempt to an external MCP server that is down or dropped its connection; each next wait doubles, jittered, up to MCP_RECONNECT_MAX_DELAY_MS.',
    ),
  MCP_RECONNECT_MAX_DELAY_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(3_600_000)
    .default(30_000)
    .describe(
      'The longest wait between two reconnection attempts to an external MCP server: how late, at most, its tools reappear after it is back.',
    ),
  MCP_TOOL_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_TOOL_TIMEOUT_MS)
    .default(30_000)
    .describe(
      `Default timeout of an external MCP server's tool call (a server's \`timeoutMs\` overrides it); at most ${MAX_TOOL_TIMEOUT_MS} ms, below the ${Tools.ToolsCall.timeoutMs} ms callers wait.`,
    ),
});
export type McpToolsEnv = z.infer<typeof McpToolsEnv>;
