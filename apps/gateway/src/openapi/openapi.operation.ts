import { Tasks, Tools, UserId } from '@switchboard/contracts';
import { z } from 'zod';

/** How the OpenAPI document describes one route (built from the routes' own zod schemas). */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  pathParams?: Record<string, { schema: z.ZodType; description: string }>;
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  body?: z.ZodType;
  bodyRequired?: boolean;
  responses: Record<
    number,
    {
      description: string;
      schema?: z.ZodType;
      sse?: string;
      /** With `sse`: the answer may also be one JSON document (`schema`). */
      orJson?: boolean;
      headers?: string[];
    }
  >;
  errors: number[];
  public?: boolean;
  /** The protocol an endpoint speaks, for operations that are another protocol's transport. */
  externalDocs?: { description: string; url: string };
}

/** An operation of a list that is all one tag's: the document gives the list its tag (tagged). */
export type UntaggedOperation = Omit<Operation, 'tag'>;

export const taskId = { id: { schema: Tasks.TaskId, description: 'The task id (UUID).' } };
export const grantParams = {
  userId: { schema: UserId, description: 'The user.' },
  provider: { schema: Tools.ProviderName, description: 'The tool provider, e.g. `notes`.' },
};
export const STREAM = [400, 401, 403, 413, 415, 429, 503, 504];

/** A JSON-RPC 2.0 request, as the A2A and MCP endpoints take it (the protocol defines `params`). */
export const JsonRpcRequest = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string().describe('e.g. `SendMessage` (A2A) or `tools/call` (MCP).'),
  params: z.unknown().optional(),
});
export const JsonRpcResponse = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number(), z.null()]),
  result: z.unknown().optional(),
  error: z
    .object({ code: z.number(), message: z.string(), data: z.unknown().optional() })
    .optional(),
});
export const MCP_DOCS = {
  description: 'MCP 2025-11-25, Streamable HTTP transport',
  url: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports',
};
export const MCP_AUTH_DOCS = {
  description: 'MCP 2025-11-25, authorization (OAuth 2.0 Protected Resource Metadata, RFC 9728)',
  url: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization',
};
export const A2A_DOCS = {
  description: 'A2A 1.0, JSON-RPC binding',
  url: 'https://a2a-protocol.org/latest/specification/',
};
export const mcpHeaders = {
  'Mcp-Session-Id': {
    schema: z.string(),
    description: 'The session, from the answer to `initialize` (every later request).',
  },
  'MCP-Protocol-Version': {
    schema: z.string(),
    description: 'The negotiated protocol version, e.g. `2025-11-25`.',
  },
};
