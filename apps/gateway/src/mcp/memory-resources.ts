import { Injectable } from '@nestjs/common';
import { type Actor, isDomainError, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { ProtocolError } from './mcp.translator.js';

/** One namespace of long-term memory as an MCP resource (docs/mcp.md, "Memory as resources"). */
export const MEMORY_URI_PREFIX = 'switchboard://memory/';
export const MEMORY_URI_TEMPLATE = `${MEMORY_URI_PREFIX}{kind}/{key}`;
/** The most items one read returns, newest first (Tools.MemoryList's bound). */
export const MEMORY_READ_LIMIT = 100;

const MIME = 'application/json';

/** The template, for `resources/templates/list` (both revisions). */
export const MEMORY_RESOURCE_TEMPLATE = {
  uriTemplate: MEMORY_URI_TEMPLATE,
  name: 'memory',
  title: 'Long-term memory',
  description: `One namespace of your long-term memory, its newest ${MEMORY_READ_LIMIT} items as JSON: kind user (key: a user id), thread (a thread id), agent (an agent name) or tenant (e.g. handbook). What you may read is what the API lets you read (docs/memory.md).`,
  mimeType: MIME,
} as const;

export const memoryUriOf = (ns: Tools.MemoryNamespace): string =>
  `${MEMORY_URI_PREFIX}${ns.kind}/${ns.key}`;

/** The namespace a `switchboard://memory/{kind}/{key}` URI names; -32602 naming the part otherwise. */
export function namespaceOfUri(uri: string): Tools.MemoryNamespace {
  const parts = uri.startsWith(MEMORY_URI_PREFIX)
    ? uri.slice(MEMORY_URI_PREFIX.length).split('/')
    : [];
  const [kind, key] = parts.map(decoded);
  if (parts.length !== 2 || kind === undefined || key === undefined)
    throw invalid(`uri: not a memory resource; expected ${MEMORY_URI_TEMPLATE}`);
  const parsed = Tools.MemoryNamespace.safeParse({ kind, key });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw invalid(`uri: ${issue?.path.join('.') || 'namespace'}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Memory as MCP resources, the same on both revisions: the template, the caller's own namespace
 * listed, and a read of any namespace as the caller. mcp-tools decides what the caller may read
 * (Tools.MemoryList with the caller's actor), as for `GET /memory`: another's user namespace is
 * refused, another tenant's memory is never reached (a namespace is always the caller's tenant's).
 */
@Injectable()
export class MemoryResources {
  constructor(private readonly bus: NatsBus) {}

  /** `resources/list`: the caller's own user namespace (others are read through the template). */
  list(actor: Actor): { resources: Record<string, unknown>[] } {
    const uri = memoryUriOf({ kind: 'user', key: actor.userId });
    return {
      resources: [{ uri, name: 'my-memory', title: 'Your long-term memory', mimeType: MIME }],
    };
  }

  templates(): { resourceTemplates: Record<string, unknown>[] } {
    return { resourceTemplates: [{ ...MEMORY_RESOURCE_TEMPLATE }] };
  }

  /** `resources/read`: `{namespace, items}` as JSON text; a refusal or failure is a JSON-RPC error. */
  async read(
    actor: Actor,
    uri: string,
  ): Promise<{ contents: { uri: string; mimeType: string; text: string }[] }> {
    const namespace = namespaceOfUri(uri);
    try {
      const { items } = await this.bus.request(
        Tools.MemoryList,
        { namespace, limit: MEMORY_READ_LIMIT },
        { actor },
      );
      return { contents: [{ uri, mimeType: MIME, text: JSON.stringify({ namespace, items }) }] };
    } catch (e) {
      throw readFailure(e);
    }
  }
}

const decoded = (part: string): string | undefined => {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
};

const invalid = (message: string) => new ProtocolError(-32602, message);

/**
 * A refusal (FORBIDDEN: not yours to read) or bad parameters are the request's fault: -32602, as MCP
 * answers a resource the client may not have; anything else (mcp-tools unavailable, a timeout) -32603.
 */
function readFailure(e: unknown): ProtocolError {
  if (!isDomainError(e)) return new ProtocolError(-32603, 'memory is unavailable');
  const code = e.code === 'FORBIDDEN' || e.code === 'VALIDATION' ? -32602 : -32603;
  return new ProtocolError(code, `${e.code}: ${e.message}`, { code: e.code });
}
