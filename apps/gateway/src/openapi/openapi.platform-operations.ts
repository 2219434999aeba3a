import { A2a, Audit, Tools } from '@switchboard/contracts';
import { z } from 'zod';

import { ApprovalPolicyBody } from '../catalog/approval-policies.controller.js';
import { ProtectedResourceMetadata } from '../mcp/mcp-oauth.js';
import {
  AuditQueryParams,
  AuditVerifyParams,
  AuthorizationsQuery,
  ToolsListQuery,
  ToolsQuery,
} from '../http/api.schemas.js';

import { MEMORY_OPERATIONS } from './openapi.memory-operations.js';
import { ok, requiredBody, serviceErrors, tagged } from './openapi.operation-builders.js';
import {
  A2A_DOCS,
  JsonRpcRequest,
  JsonRpcResponse,
  MCP_AUTH_DOCS,
  MCP_DOCS,
  grantParams,
  mcpHeaders,
  type Operation,
} from './openapi.operation.js';

/** Both URLs of the MCP endpoint's Protected Resource Metadata: public, the same document, 404 without one. */
const PROTECTED_RESOURCE_METADATA = {
  public: true,
  externalDocs: MCP_AUTH_DOCS,
  responses: ok('The metadata document (RFC 9728 §2).', ProtectedResourceMetadata),
  errors: [404],
} satisfies Partial<Operation>;

/** The three methods of the MCP endpoint: the same transport, tool narrowing and session headers. */
const MCP_SESSION = {
  externalDocs: MCP_DOCS,
  query: ToolsQuery,
  headers: mcpHeaders,
} satisfies Partial<Operation>;

/** Tools, agents, authorizations, audit, the A2A and MCP endpoints, and the operational routes (memory: openapi.memory-operations.ts). */
export const PLATFORM_OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/tools',
    tag: 'tools',
    summary: "The caller's tool manifest, or a search of the caller's tools (`q`)",
    query: ToolsListQuery,
    responses: ok(
      'Tools the caller may use under the constraints (deferred ones marked `deferred`); with `q`, the best matches among them, each with its schemas, approval policy and fingerprint (docs/tools.md).',
      z.union([Tools.Manifest, Tools.ToolSearchResult]),
    ),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'get',
    path: '/agents',
    tag: 'agents',
    summary: 'Remote agents the caller may delegate to',
    responses: ok('Known agents (from their cards).', A2a.AgentsList.response),
    errors: serviceErrors(403),
  },
  {
    method: 'get',
    path: '/authorizations',
    tag: 'authorizations',
    summary: 'Provider authorizations of a user',
    query: AuthorizationsQuery,
    responses: ok("Grants and every provider's status.", Tools.AuthorizationsList.response),
    errors: serviceErrors(400, 403),
  },
  // where they stood before they had a file of their own, so the document's order stays
  ...tagged('memory', MEMORY_OPERATIONS),
  {
    method: 'put',
    path: '/authorizations/{userId}/{provider}',
    tag: 'authorizations',
    summary: 'Grant a provider to a user (admin)',
    pathParams: grantParams,
    responses: ok('The grant.', Tools.AuthorizationGrant.response),
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'delete',
    path: '/authorizations/{userId}/{provider}',
    tag: 'authorizations',
    summary: 'Revoke a provider from a user (admin)',
    pathParams: grantParams,
    responses: ok('Whether a grant was removed.', Tools.AuthorizationRevoke.response),
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'get',
    path: '/approval-policies',
    tag: 'tools',
    summary: "Tools' approval policies (admin)",
    description:
      "Every tool whose calls wait for a person's approval, with its effective policy and where it comes from: its `definition` (the tool, the tools file, its MCP server) or an admin's `override` (docs/approvals.md).",
    responses: ok('The tools with a policy, by name.', Tools.ApprovalPolicyList.response),
    errors: serviceErrors(403),
  },
  {
    method: 'put',
    path: '/approval-policies/{tool}',
    tag: 'tools',
    summary: "Override a tool's approval policy (admin)",
    description:
      'Sets the tool\'s approval policy, replacing its definition\'s, or with `{"policy": null}` removes the override. Every replica enforces it on the next call; manifests carry it at once. Audited.',
    pathParams: {
      tool: { schema: Tools.ToolName, description: 'The tool, e.g. `notes.add`.' },
    },
    ...requiredBody(ApprovalPolicyBody),
    responses: ok(
      "The tool's effective policy after the change (`policy: null`, `source: none` when its calls need none).",
      Tools.ApprovalPolicySet.response,
    ),
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Query the audit trail (admin)',
    description:
      "A tenant's admin reads its own tenant's rows; the platform operator (`platform-admin`) every tenant's, or one tenant's with `tenant_id`. Anyone else naming another tenant gets no rows, as for a tenant without any. Non-admins get 403 (audited as `audit.query.denied`).",
    query: AuditQueryParams,
    responses: ok(
      'Rows, newest first; pass `nextBefore` as `before` for the next page.',
      Audit.AuditQueryResponse,
    ),
    errors: serviceErrors(400, 403),
  },
  {
    method: 'get',
    path: '/audit/verify',
    tag: 'audit',
    summary: 'Verify the hash chain of the audit trail (admin)',
    description: `Recomputes a hash chain from its first row and reports the first row that does not match. A tenant's admin verifies its own tenant's chain (\`scope: tenant\`): every row of the tenant links to the tenant's previous one, so the check proves none of them was changed, reordered or removed without reading another tenant's rows. The platform operator (\`platform-admin\`) verifies the whole trail (\`scope: all\`: the trail's chain and every tenant's along it), or one tenant's chain with \`tenant_id\`. Anyone else naming another tenant gets 404. A check always covers a whole chain, so any other parameter is refused (400), and a large trail takes a while (the gateway waits up to ${Audit.AuditVerify.timeoutMs / 1000} s, then answers 504).`,
    query: AuditVerifyParams,
    responses: ok(
      "`ok: true` when every row matches; otherwise `firstBrokenSeq` (and `firstBrokenTenantSeq`) and `reason`. `checked` counts the rows that matched; `lastHash` is the hash of the last of them. A tenant's check also names `tenantId` and the `tenantSeq` of the first and last rows that matched (`firstTenantSeq`, `lastTenantSeq`): compare `lastTenantSeq` and `lastHash` with an earlier answer to see that no newest row went missing.",
      Audit.AuditVerifyResponse,
    ),
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'get',
    path: '/.well-known/agent-card.json',
    tag: 'a2a',
    summary: "The platform's A2A agent card",
    description:
      'Public: it tells A2A clients where the endpoint is and how to authenticate (the security scheme follows AUTH_MODE). Served with an ETag; `If-None-Match` answers 304.',
    public: true,
    externalDocs: A2A_DOCS,
    responses: {
      200: {
        description:
          'The AgentCard: A2A 1.0 JSON with `A2A-Version: 1.0`; without the header (read as A2A 0.3) the v0.3 card. Both list the endpoint for 1.0 and 0.3.',
      },
      304: { description: 'Unchanged since the ETag sent.' },
    },
    errors: [],
  },
  {
    method: 'post',
    path: '/a2a/notifications/{delegationId}',
    tag: 'a2a',
    summary: "A remote agent's push notification about a delegation's task",
    description:
      "The platform's A2A client registers this URL (A2A_PUSH_CALLBACK_URL + the delegation's id) with a remote agent whose card offers push notifications, with a random token per delegation. The agent posts its task's events here (`application/a2a+json` or JSON, A2A 1.0 StreamResponse or a 0.3 Task) with the token in `X-A2A-Notification-Token`; the a2a replica running the delegation checks it and then reads the task with GetTask (the body only wakes it). No user authentication: the token is the credential.",
    public: true,
    externalDocs: A2A_DOCS,
    pathParams: {
      delegationId: { schema: A2a.DelegationId, description: 'The delegation (a UUID).' },
    },
    body: z.record(z.string(), z.unknown()),
    responses: ok(
      'Accepted: the delegation reads its task.',
      z.object({ accepted: z.literal(true) }),
    ),
    errors: [400, 401, 403, 404, 413, 415, 503, 504],
  },
  {
    method: 'post',
    path: '/a2a',
    tag: 'a2a',
    summary: 'A2A 1.0 and 0.3 JSON-RPC endpoint (the platform as an agent)',
    description:
      "JSON-RPC 2.0 as A2A 1.0 defines it, with the `A2A-Version: 1.0` header: `SendMessage` runs the text of the message as a platform task, `SendStreamingMessage` streams its status updates (SSE), `GetTask` and `CancelTask` work on any task of the caller. Without the header a request is read as A2A 0.3 and answered in 0.3 (`message/send`, `message/stream`, `tasks/get`, `tasks/cancel`). Authentication and limits are the API's (their refusals are the error envelope); protocol errors are JSON-RPC errors in a 200 answer.",
    externalDocs: A2A_DOCS,
    ...requiredBody(JsonRpcRequest),
    responses: {
      200: {
        description: 'A JSON-RPC response, or for SendStreamingMessage an SSE stream of them.',
        schema: JsonRpcResponse,
        sse: 'A2A stream responses, one JSON-RPC response per event',
        orJson: true,
      },
    },
    errors: [400, 401, 403, 413, 415, 429],
  },
  {
    method: 'post',
    path: '/mcp',
    tag: 'mcp',
    summary: 'MCP endpoint: send a JSON-RPC message (the platform as an MCP server)',
    description:
      "Streamable HTTP. Start with `initialize` (the answer's `Mcp-Session-Id` header names the session), then `tools/list` and `tools/call` run as the caller under its role and authorizations. `providers`/`tools` narrow the session's tools. Authentication, limits and the Origin check answer with the error envelope; in AUTH_MODE=jwt a token must carry the MCP resource's audience (MCP_AUDIENCE), and a 401 carries `WWW-Authenticate: Bearer … resource_metadata=\"…\"` pointing to the Protected Resource Metadata. The transport's own refusals (no or unknown session) are JSON-RPC errors.",
    ...MCP_SESSION,
    ...requiredBody(JsonRpcRequest),
    responses: {
      200: {
        description: 'The JSON-RPC response, as JSON or as an SSE stream.',
        schema: JsonRpcResponse,
        sse: 'JSON-RPC messages',
        orJson: true,
        headers: ['Mcp-Session-Id'],
      },
      202: { description: 'A notification or response was accepted.' },
    },
    errors: [400, 401, 403, 404, 413, 415, 429],
  },
  {
    method: 'get',
    path: '/mcp',
    tag: 'mcp',
    summary: "MCP endpoint: the session's server-to-client stream",
    description: 'SSE of server messages (`notifications/tools/list_changed`) for the session.',
    ...MCP_SESSION,
    responses: { 200: { description: 'Server messages.', sse: 'JSON-RPC messages' } },
    errors: [400, 401, 403, 404, 429],
  },
  {
    method: 'delete',
    path: '/mcp',
    tag: 'mcp',
    summary: 'MCP endpoint: end the session',
    ...MCP_SESSION,
    responses: { 200: { description: 'The session is closed.' } },
    errors: [400, 401, 403, 404, 429],
  },
  {
    method: 'get',
    path: '/.well-known/oauth-protected-resource/mcp',
    tag: 'mcp',
    summary: "The MCP endpoint's OAuth Protected Resource Metadata (RFC 9728)",
    description:
      'Public and cacheable. In AUTH_MODE=jwt with an authorization server (MCP_AUTHORIZATION_SERVERS, or JWT_ISSUER): the MCP resource (MCP_RESOURCE_URL, or the URL the request reached + `/mcp`) and the authorization servers MCP clients sign in with. A 401 from `/mcp` points here in `WWW-Authenticate: Bearer … resource_metadata="…"`. Otherwise 404.',
    ...PROTECTED_RESOURCE_METADATA,
  },
  {
    method: 'get',
    path: '/.well-known/oauth-protected-resource',
    tag: 'mcp',
    summary: "The MCP endpoint's OAuth Protected Resource Metadata, at the root well-known URL",
    description:
      'The same document, where MCP clients look when the path-suffixed URL answers 404.',
    ...PROTECTED_RESOURCE_METADATA,
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: 'This document',
    public: true,
    responses: { 200: { description: 'OpenAPI 3.1.' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/health',
    tag: 'meta',
    summary: 'Liveness',
    public: true,
    responses: { 200: { description: 'The process is up.' } },
    errors: [],
  },
  {
    method: 'get',
    path: '/readiness',
    tag: 'meta',
    summary: 'Readiness (NATS, Redis)',
    public: true,
    responses: {
      200: { description: 'Every dependency answers.' },
      503: { description: 'A dependency is down.' },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'meta',
    summary: 'Prometheus metrics',
    public: true,
    responses: { 200: { description: 'Prometheus text format.' } },
    errors: [],
  },
];
