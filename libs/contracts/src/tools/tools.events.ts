import { z } from 'zod';
import { defineEvent } from '../define.js';
import { TenantId, UserId } from '../identity.schemas.js';
import { ToolName } from './tool.schemas.js';

/**
 * The set of tools someone may be offered changed: the registry (a tools source, an external MCP server's
 * `list_changed`) or one user's provider authorizations. Manifests are already invalidated by then; this
 * lets edges that hold sessions (the gateway's MCP endpoint) tell their clients to list tools again.
 */
export const ToolsChanged = defineEvent({
  template: 'sb.evt.tools.changed',
  tokens: [],
  payload: z.object({
    reason: z.enum(['registry', 'authorizations']),
    /** Set when only this user's tools changed (`authorizations`). */
    userId: UserId.optional(),
    /** Fingerprint of the registry after the change. */
    registryVersion: z.string().min(1).max(64),
    at: z.string().datetime(),
  }),
  delivery: 'at-most-once',
  producers: ['mcp-tools'],
  consumers: ['gateway'],
  description:
    "Tools on offer changed (registry, or one user's authorizations). Fire and forget: manifests are invalidated independently.",
});

/**
 * An admin set or removed an approval policy override in one tenant. Every mcp-tools replica keeps
 * each tenant's overrides in memory (read once, not per call and per manifest) and drops that tenant's
 * copy when it hears this, so the next call on any replica runs under the new policy. Core NATS, at
 * most once: a replica that misses it reads the tenant's overrides again when its copy expires
 * (APPROVAL_POLICY_CACHE_TTL_MS).
 */
export const ApprovalPoliciesChanged = defineEvent({
  template: 'sb.evt.tools.approval-policies.changed',
  tokens: [],
  payload: z.object({
    tenantId: TenantId,
    tool: ToolName,
    at: z.string().datetime(),
  }),
  delivery: 'at-most-once',
  producers: ['mcp-tools'],
  consumers: ['mcp-tools'],
  description:
    "A tenant's approval policy overrides changed: every mcp-tools replica drops its copy of that tenant's overrides. Fire and forget: copies also expire.",
});

/**
 * A user's provider authorizations changed in one tenant. Every mcp-tools replica keeps the manifests
 * it built in its own memory (not in Redis: a manifest costs no round trip) and drops that user's
 * when it hears this, so the next manifest on any replica is built with the change. Core NATS, at
 * most once: a replica that misses it serves its copy until it expires (MANIFEST_CACHE_TTL_SECONDS);
 * every tool call is checked against the grants in force whatever the manifest offered.
 */
export const ManifestsInvalidated = defineEvent({
  template: 'sb.evt.tools.manifests.invalidated',
  tokens: [],
  payload: z.object({
    tenantId: TenantId,
    userId: UserId,
    at: z.string().datetime(),
  }),
  delivery: 'at-most-once',
  producers: ['mcp-tools'],
  consumers: ['mcp-tools'],
  description:
    "A user's provider authorizations changed: every mcp-tools replica drops its copies of that user's manifests. Fire and forget: copies also expire.",
});
