/**
 * Maps the spellings people bring to canonical definitions before they are validated: the legacy
 * `MCPToolDefinition` spelling (snake_case keys, `handler: http_endpoint` with an endpoint,
 * `python_function` handlers that name a function), and the `mcpServers` blocks of common MCP client
 * configs (`type`, `command`/`url` without a transport). Each function returns the value to validate
 * plus the problems it found, each naming the field.
 */

type Obj = Record<string, unknown>;

export interface Normalized {
  value: unknown;
  problems: string[];
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renames alias keys to their canonical spelling; reports an alias given together with its target. */
function renameKeys(obj: Obj, aliases: Readonly<Record<string, string>>, problems: string[]): Obj {
  const out: Obj = {};
  const origin: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj)) {
    const target = aliases[key] ?? key;
    if (target in out) {
      problems.push(`${key}: "${origin[target]}" and "${key}" mean the same field; give one`);
      continue;
    }
    out[target] = value;
    origin[target] = key;
  }
  return out;
}

const APPROVAL_ALIASES = {
  allow_self: 'allowSelf',
  expires_in_ms: 'expiresInMs',
  on_expiry: 'onExpiry',
} as const;

/**
 * An approval policy in either spelling (`allow_self`, `expires_in_ms`, `on_expiry`). `true` is the
 * default policy (the requester approves); `false` and anything else are left for the schema to judge.
 */
export function normalizeApproval(value: unknown, problems: string[]): unknown {
  if (value === true) return {};
  return isObject(value) ? renameKeys(value, APPROVAL_ALIASES, problems) : value;
}

/**
 * `requires_approval: true` (or `requiresApproval`), the legacy flag, is `approval: {}`; `false` is no
 * policy. Given with `approval` it is a problem: one of them would be ignored.
 */
function normalizeApprovalFlag(entry: Obj, problems: string[], where = ''): void {
  for (const flag of ['requires_approval', 'requiresApproval']) {
    if (!(flag in entry)) continue;
    const value = entry[flag];
    delete entry[flag];
    if (typeof value !== 'boolean') {
      problems.push(`${where}${flag}: must be true or false`);
    } else if (entry['approval'] !== undefined) {
      problems.push(`${where}${flag}: give either ${flag} or approval`);
    } else if (value) {
      entry['approval'] = {};
    }
  }
  if (entry['approval'] !== undefined)
    entry['approval'] = normalizeApproval(entry['approval'], problems);
}

const TOOL_ALIASES = {
  input_schema: 'inputSchema',
  parameters: 'inputSchema',
  output_schema: 'outputSchema',
  required_credentials: 'requiredCredentials',
  required_role: 'requiredRole',
  admin_only: 'adminOnly',
  timeout_ms: 'timeoutMs',
  handler_type: 'handler',
  handler_config: 'handlerConfig',
} as const;

/** The legacy `python_function` handler names (and a few obvious variants) → built-in tool refs. */
export const PYTHON_FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  calculator: 'calculator',
  calculate: 'calculator',
  add_note: 'notes.add',
  get_note: 'notes.get',
  list_notes: 'notes.list',
  get_weather: 'weather.current',
  weather: 'weather.current',
  get_current_time: 'time.now',
  current_time: 'time.now',
  get_time: 'time.now',
  admin_debug: 'admin.debug',
  debug: 'admin.debug',
};

const HTTP_KEYS = ['url', 'method', 'headers', 'query'] as const;

/** One entry of `tools`: canonical keys, a handler object, defaults for title and provider. */
export function normalizeToolEntry(raw: unknown, builtinRefs: ReadonlySet<string>): Normalized {
  const problems: string[] = [];
  if (!isObject(raw)) return { value: raw, problems: ['must be an object'] };
  const entry = renameKeys(raw, TOOL_ALIASES, problems);
  if (typeof entry['timeout'] === 'number' && entry['timeoutMs'] === undefined) {
    // The legacy spelling gives timeouts in seconds.
    entry['timeoutMs'] = Math.round(entry['timeout'] * 1_000);
    delete entry['timeout'];
  }
  if (typeof entry['name'] === 'string') {
    entry['title'] ??= entry['name'];
  }
  entry['provider'] ??= 'local';
  normalizeApprovalFlag(entry, problems);
  const handler = entry['handler'];
  if (typeof handler === 'string') {
    entry['handler'] = handlerFromKind(handler, entry, builtinRefs, problems);
  } else if (isObject(handler)) {
    entry['handler'] = normalizeHandlerObject(handler, builtinRefs, problems);
  } else if (handler === undefined) {
    problems.push(
      'handler: is required (builtin, http_endpoint, or python_function naming a built-in)',
    );
  }
  return { value: entry, problems };
}

function handlerFromKind(
  kind: string,
  entry: Obj,
  builtinRefs: ReadonlySet<string>,
  problems: string[],
): unknown {
  const config = isObject(entry['handlerConfig']) ? entry['handlerConfig'] : {};
  delete entry['handlerConfig'];
  const endpoint = entry['endpoint'];
  delete entry['endpoint'];
  switch (kind) {
    case 'http_endpoint': {
      const handler: Obj = { kind };
      const fromEndpoint =
        typeof endpoint === 'string' ? { url: endpoint } : isObject(endpoint) ? endpoint : {};
      for (const key of HTTP_KEYS) {
        const value = config[key] ?? fromEndpoint[key] ?? entry[key];
        delete entry[key];
        if (value !== undefined)
          handler[key] =
            key === 'method' && typeof value === 'string' ? value.toUpperCase() : value;
      }
      return handler;
    }
    case 'python_function':
    case 'builtin':
    case 'function': {
      const fn =
        config['function'] ?? config['ref'] ?? entry['function'] ?? entry['ref'] ?? entry['name'];
      delete entry['function'];
      delete entry['ref'];
      return { kind: 'builtin', ref: builtinRef(String(fn), builtinRefs, problems) };
    }
    case 'mcp':
      problems.push(
        'handler: tools of MCP servers are discovered from `mcpServers`; set their access with mcpServers[].tools',
      );
      return undefined;
    default:
      problems.push(
        `handler: "${kind}" is not a handler kind (builtin, http_endpoint, python_function)`,
      );
      return undefined;
  }
}

function normalizeHandlerObject(
  handler: Obj,
  builtinRefs: ReadonlySet<string>,
  problems: string[],
): unknown {
  const h = renameKeys(handler, { type: 'kind', function: 'ref' }, problems);
  if (h['kind'] === 'python_function') h['kind'] = 'builtin';
  if (h['kind'] === 'builtin' && typeof h['ref'] === 'string')
    h['ref'] = builtinRef(h['ref'], builtinRefs, problems);
  if (h['kind'] === 'http_endpoint' && typeof h['method'] === 'string')
    h['method'] = h['method'].toUpperCase();
  if (h['kind'] === 'mcp') {
    problems.push(
      'handler: tools of MCP servers are discovered from `mcpServers`; set their access with mcpServers[].tools',
    );
  }
  return h;
}

function builtinRef(name: string, builtinRefs: ReadonlySet<string>, problems: string[]): string {
  const ref = builtinRefs.has(name) ? name : PYTHON_FUNCTION_ALIASES[name];
  if (ref && builtinRefs.has(ref)) return ref;
  problems.push(
    `handler: no built-in implementation "${name}"; available: ${[...builtinRefs].sort().join(', ')}`,
  );
  return name;
}

const PROVIDER_ALIASES = {
  requires_authorization: 'requiresAuthorization',
  requires_auth: 'requiresAuthorization',
  requiresAuth: 'requiresAuthorization',
} as const;

export function normalizeProviderEntry(raw: unknown): Normalized {
  const problems: string[] = [];
  if (!isObject(raw)) return { value: raw, problems: ['must be an object'] };
  return { value: renameKeys(raw, PROVIDER_ALIASES, problems), problems };
}

const SERVER_ALIASES = {
  ...PROVIDER_ALIASES,
  type: 'transport',
  required_role: 'requiredRole',
  admin_only: 'adminOnly',
  timeout_ms: 'timeoutMs',
} as const;

const TRANSPORTS: Readonly<Record<string, 'stdio' | 'http'>> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamable_http: 'http',
  streamableHttp: 'http',
};

/** One external MCP server. `key` is its name when servers are given as an object keyed by name. */
export function normalizeMcpServerEntry(raw: unknown, key?: string): Normalized {
  const problems: string[] = [];
  if (!isObject(raw)) return { value: raw, problems: ['must be an object'] };
  const server = renameKeys(raw, SERVER_ALIASES, problems);
  if (key !== undefined) {
    if (server['name'] !== undefined && server['name'] !== key)
      problems.push(`name: "${String(server['name'])}" differs from its key "${key}"`);
    server['name'] = key;
  }
  if (typeof server['timeout'] === 'number' && server['timeoutMs'] === undefined) {
    server['timeoutMs'] = Math.round(server['timeout'] * 1_000);
    delete server['timeout'];
  }
  const transport = server['transport'];
  if (transport === undefined) {
    if (server['command'] !== undefined) server['transport'] = 'stdio';
    else if (server['url'] !== undefined) server['transport'] = 'http';
    else problems.push('transport: give `command` (stdio) or `url` (Streamable HTTP)');
  } else if (typeof transport === 'string' && TRANSPORTS[transport]) {
    server['transport'] = TRANSPORTS[transport];
  } else {
    problems.push(`transport: "${String(transport)}" is not supported (stdio, http)`);
  }
  normalizeApprovalFlag(server, problems);
  if (isObject(server['tools'])) {
    server['tools'] = Object.fromEntries(
      Object.entries(server['tools']).map(([name, policy]) => [
        name,
        isObject(policy) ? normalizeMcpToolPolicy(policy, `tools.${name}.`, problems) : policy,
      ]),
    );
  }
  return { value: server, problems };
}

function normalizeMcpToolPolicy(policy: Obj, where: string, problems: string[]): Obj {
  const out = renameKeys(
    policy,
    { required_role: 'requiredRole', admin_only: 'adminOnly', timeout_ms: 'timeoutMs' },
    problems,
  );
  // `requires_approval: false` turns off the server's policy for this tool: kept as `approval: false`.
  const flag = out['requires_approval'] ?? out['requiresApproval'];
  if (flag === false && out['approval'] === undefined) {
    delete out['requires_approval'];
    delete out['requiresApproval'];
    out['approval'] = false;
    return out;
  }
  normalizeApprovalFlag(out, problems, where);
  return out;
}
