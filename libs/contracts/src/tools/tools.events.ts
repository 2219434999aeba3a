import { z } from 'zod';
import { defineEvent } from '../define.js';
import { UserId } from '../identity.schemas.js';

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
