import {
  BaseEnv,
  databaseUrl,
  envPort,
  redisKeyPrefix,
  redisUrl,
  tenantsFileSetting,
} from '@switchboard/config';
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
  REDIS_KEY_PREFIX: redisKeyPrefix.describe(
    'Prefix of every Redis key this service writes (tests use their own).',
  ),
  MANIFEST_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe(
      "How long a replica keeps a user's manifest in memory. A change of the user's authorizations is announced to every replica at once (sb.evt.tools.manifests.invalidated), and a change of the registry, the role, the tenant's overrides or settings is part of the entry's key; this bounds how long a replica that missed an announcement offers the old manifest (each tool call is still checked against the grants in force).",
    ),
  MANIFEST_CACHE_MAX_USERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1_000)
    .describe(
      'Users whose manifests a replica keeps in memory at most; past that the least recently asked go (built again when asked).',
    ),
  APPROVAL_POLICY_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(30_000)
    .describe(
      "How long a replica keeps a tenant's approval policy overrides in memory. A change is announced to every replica at once (sb.evt.tools.approval-policies.changed); this bounds how long a replica that missed the announcement serves the old overrides.",
    ),
  QUOTA_UNLIMITED_CACHE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(30_000)
    .describe(
      "How long a replica skips the toolCallsPerDay check of a tenant Redis said no quota applies to (nothing would be counted for it). Every quota change is announced to every replica at once (a Redis PUBLISH in the change's transaction) and a reconnection forgets every tenant; this bounds how long a replica that missed an announcement lets such a tenant's calls through uncounted. 0: every call asks Redis.",
    ),
  TOOL_DEFER_THRESHOLD: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(Tools.DEFAULT_DEFER_THRESHOLD)
    .describe(
      "Past this many tools in a user's offer, every tool of an MCP server or the tools file that is not pinned (`deferred: false`) is deferred: a model is offered search_tools instead and finds them by words (docs/tools.md). 0: only tools marked deferred are.",
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
  MEMORY_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(36_500)
    .default(0)
    .describe(
      'Days a long-term memory item is kept after it was last written (docs/memory.md); a sweep on every replica deletes older ones, with their search entries. 0 keeps items until they are forgotten.',
    ),
  MEMORY_RETENTION_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(86_400_000)
    .default(3_600_000)
    .describe('How often the memory retention sweep runs (when MEMORY_RETENTION_DAYS is set).'),
  MEMORY_EMBEDDINGS_BASE_URL: httpUrl
    .optional()
    .describe(
      'Base URL of an OpenAI-compatible embeddings API (POST <url>/embeddings, e.g. https://api.openai.com/v1). Set: long-term memory is searched by meaning (docs/memory.md), and tool search ranks by meaning beside words (docs/tools.md); unset: memory by PostgreSQL full-text search, tools by words.',
    ),
  MEMORY_EMBEDDINGS_MODEL: z
    .string()
    .min(1)
    .max(200)
    .default('text-embedding-3-small')
    .describe(
      'Embeddings model asked for memory vectors (when MEMORY_EMBEDDINGS_BASE_URL is set).',
    ),
  MEMORY_EMBEDDINGS_DIMENSIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(4_096)
    .optional()
    .describe(
      "Length of the memory vectors, sent as the request's `dimensions` (models that can shorten them, like text-embedding-3-*) and checked on every answer. Unset: the model's own length, not sent. Fewer dimensions make recall cheaper (docs/memory.md).",
    ),
  MEMORY_EMBEDDINGS_API_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('API key of the embeddings API (secret; never logged, audited or returned).'),
  MEMORY_EMBEDDINGS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(3_000)
    .describe(
      'How long one embeddings request may take. A recall whose query was not embedded in time searches by words; an item whose content was not is stored without a vector (found by its words).',
    ),
  MEMORY_EMBEDDINGS_CANDIDATES: z.coerce
    .number()
    .int()
    .min(10)
    .max(20_000)
    .default(1_000)
    .describe(
      'Items a search by meaning compares with the query at most: the newest the caller may see, plus the best word matches (docs/memory.md, "Search by meaning").',
    ),
  MEMORY_EMBEDDINGS_REEMBED_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(86_400_000)
    .default(60_000)
    .describe(
      'How often items without a vector of MEMORY_EMBEDDINGS_MODEL (stored while the endpoint was down, or made by another model) are embedded, a batch at a time (docs/memory.md).',
    ),
  MEMORY_EMBEDDINGS_MIN_SCORE: z.coerce
    .number()
    .min(-1)
    .max(1)
    .default(0.2)
    .describe(
      'Least cosine similarity of an item (or a tool, in tool search) to the query for a search by meaning to return it (depends on the model; unrelated texts score near 0).',
    ),
});
export type McpToolsEnv = z.infer<typeof McpToolsEnv>;
