import { SseParser } from '@switchboard/client';
import { MODERN_META, MODERN_REVISION } from '../model/mcp-connect';

/** Where the platform's MCP endpoint is, and the headers that authenticate the user to it. */
export interface McpEndpoint {
  url: string;
  headers: Record<string, string>;
}

/** The MCP revision the console speaks; the server answers with the one it agrees to. */
const PROTOCOL_VERSION = '2025-06-18';

/** What calling a tool gave: its result (text, and structured content when any), or why it failed. */
export type ToolOutcome =
  { ok: true; text: string; structured?: unknown } | { ok: false; message: string; code?: string };

interface RpcReply {
  id?: unknown;
  result?: {
    content?: { type: string; text?: string }[];
    structuredContent?: unknown;
    isError?: boolean;
    protocolVersion?: string;
  };
  error?: { code: number; message: string; data?: { code?: unknown } };
}

/** The JSON-RPC reply with `id` in a Streamable HTTP response body: JSON (one or a batch) or SSE. */
export function rpcReplyOf(contentType: string, body: string, id: number): RpcReply | undefined {
  const candidates: unknown[] = [];
  if (contentType.includes('text/event-stream')) {
    for (const e of new SseParser().feed(body.endsWith('\n\n') ? body : `${body}\n\n`)) {
      try {
        candidates.push(JSON.parse(e.data));
      } catch {
        // not a JSON-RPC message (a keep-alive)
      }
    }
  } else if (body.trim()) {
    const parsed = JSON.parse(body) as unknown;
    candidates.push(...(Array.isArray(parsed) ? parsed : [parsed]));
  }
  return candidates.find(
    (m): m is RpcReply => typeof m === 'object' && m !== null && (m as RpcReply).id === id,
  );
}

/** A tools/call reply as the page shows it. */
export function outcomeOf(reply: RpcReply): ToolOutcome {
  if (reply.error) {
    const code = reply.error.data?.code;
    return {
      ok: false,
      message: reply.error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  const text = (reply.result?.content ?? [])
    .map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content]`))
    .join('\n');
  if (reply.result?.isError) return { ok: false, message: text || 'the tool failed' };
  return {
    ok: true,
    text,
    ...(reply.result?.structuredContent !== undefined
      ? { structured: reply.result.structuredContent }
      : {}),
  };
}

/**
 * Calls one tool through the platform's own MCP endpoint (`POST /mcp`, Streamable HTTP), as any MCP
 * client would, with the user's credentials: `initialize`, `notifications/initialized`, `tools/call`,
 * and the session ended. The gateway and mcp-tools apply the user's roles, authorizations and the
 * tool's schema, so what the page shows is what the user's agents would get.
 */
export async function callTool(
  endpoint: McpEndpoint,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolOutcome> {
  const { url } = endpoint;
  const headers: Record<string, string> = {
    ...endpoint.headers,
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  };
  const send = async (id: number | undefined, method: string, params: unknown) => {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', ...(id !== undefined ? { id } : {}), method, params }),
    });
    const body = await response.text();
    const reply = id !== undefined ? safeReply(response, body, id) : undefined;
    if (!response.ok && !reply) throw new Error(refusalOf(response, body));
    return { response, reply };
  };
  const init = await send(1, 'initialize', {
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'switchboard-console', version: '1' },
  });
  if (!init.reply || init.reply.error) {
    return { ok: false, message: init.reply?.error?.message ?? 'the MCP endpoint did not answer' };
  }
  const session = init.response.headers.get('mcp-session-id');
  if (session) headers['mcp-session-id'] = session;
  headers['mcp-protocol-version'] = init.reply.result?.protocolVersion ?? PROTOCOL_VERSION;
  try {
    await send(undefined, 'notifications/initialized', {});
    const call = await send(2, 'tools/call', { name, arguments: args });
    return call.reply
      ? outcomeOf(call.reply)
      : { ok: false, message: 'the MCP endpoint sent no reply' };
  } finally {
    // The session served its one call; ending it frees it at once instead of at its idle timeout.
    if (session) void fetch(url, { method: 'DELETE', headers }).catch(() => undefined);
  }
}

function safeReply(response: Response, body: string, id: number): RpcReply | undefined {
  try {
    return rpcReplyOf(response.headers.get('content-type') ?? '', body, id);
  } catch {
    return undefined;
  }
}

/** A refusal before JSON-RPC (authentication, origin, rate limit): the API's envelope in one line. */
function refusalOf(response: Response, body: string): string {
  try {
    const e = JSON.parse(body) as { code?: string; message?: string; error?: { message?: string } };
    const message = e.message ?? e.error?.message;
    if (message) return `${message} (${e.code ? `${e.code}, ` : ''}HTTP ${response.status})`;
  } catch {
    // not JSON
  }
  return `the MCP endpoint answered HTTP ${response.status}`;
}

/** What the endpoint said about itself and the caller's tools, over revision 2026-07-28. */
export interface McpOffer {
  supportedVersions: string[];
  server: { name: string; version: string };
  extensions: string[];
  tools: { name: string; title?: string; description?: string }[];
}

/**
 * Asks `/mcp` as a 2026-07-28 client does, with the user's credentials and no session:
 * `server/discover`, then `tools/list` (following `nextCursor`). Each request names its revision and
 * method in headers that agree with its body, so what the page lists is what the user's agents get.
 */
export async function discoverTools(
  endpoint: McpEndpoint,
  signal?: AbortSignal,
): Promise<McpOffer> {
  const { url } = endpoint;
  let id = 0;
  const ask = async (method: string, params: Record<string, unknown> = {}) => {
    const n = ++id;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...endpoint.headers,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': MODERN_REVISION,
        'mcp-method': method,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: n,
        method,
        params: { ...params, _meta: MODERN_META },
      }),
      ...(signal ? { signal } : {}),
    });
    const body = await response.text();
    const reply = safeReply(response, body, n) as { result?: unknown; error?: { message: string } };
    if (!reply) throw new Error(refusalOf(response, body));
    if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as Record<string, unknown>;
  };
  const discovered = (await ask('server/discover')) as {
    supportedVersions?: string[];
    capabilities?: { extensions?: Record<string, unknown> };
    _meta?: Record<string, { name?: string; version?: string } | undefined>;
  };
  const tools: McpOffer['tools'] = [];
  let cursor: string | undefined;
  do {
    const page = (await ask('tools/list', cursor ? { cursor } : {})) as {
      tools?: McpOffer['tools'];
      nextCursor?: string;
    };
    tools.push(...(page.tools ?? []));
    cursor = page.nextCursor;
  } while (cursor);
  const info = discovered._meta?.['io.modelcontextprotocol/serverInfo'];
  return {
    supportedVersions: discovered.supportedVersions ?? [],
    server: { name: info?.name ?? '', version: info?.version ?? '' },
    extensions: Object.keys(discovered.capabilities?.extensions ?? {}),
    tools,
  };
}
