import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  AgentPresence,
  AgentSummary,
  AuthorizationGranted,
  AuthorizationRevoked,
  AuthorizationsList,
  Manifest,
  ToolSearchResult,
} from '../wire.js';

/** `GET /tools`' constraints: a list without `mode` means `custom`. */
export interface ToolsQuery {
  mode?: 'auto' | 'custom';
  providers?: readonly string[];
  tools?: readonly string[];
}

/** What the caller can use: tools, remote agents, and provider authorizations (docs/api.md). */
export class CatalogApi {
  constructor(private readonly transport: Transport) {}

  /** The caller's tool manifest, optionally under constraints. */
  tools(query: ToolsQuery = {}, options: CallOptions = {}): Promise<Manifest> {
    return this.transport.send('GET', 'tools', options, { query: { ...query } });
  }

  /**
   * The best matches for `q` among the tools the caller may call (deferred ones included), best first,
   * each with its schemas, approval policy and fingerprint (docs/tools.md).
   */
  searchTools(
    q: string,
    query: ToolsQuery & { limit?: number } = {},
    options: CallOptions = {},
  ): Promise<ToolSearchResult> {
    return this.transport.send('GET', 'tools', options, { query: { ...query, q } });
  }

  /** The remote agents the caller may delegate to. */
  agents(options: CallOptions = {}): Promise<{ agents: AgentSummary[] }> {
    return this.transport.send('GET', 'agents', options);
  }

  /** The XMPP peers of the agents reached over XMPP, online or not. */
  presence(options: CallOptions = {}): Promise<AgentPresence> {
    return this.transport.send('GET', 'agents/presence', options);
  }

  /** A user's provider authorizations (default the caller's; another user's: admins). */
  authorizations(userId?: string, options: CallOptions = {}): Promise<AuthorizationsList> {
    return this.transport.send('GET', 'authorizations', options, { query: { user_id: userId } });
  }

  /** Grants a user a provider (admins). Harmless to repeat. */
  grant(
    userId: string,
    provider: string,
    options: CallOptions = {},
  ): Promise<AuthorizationGranted> {
    return this.transport.send('PUT', pathOf`authorizations/${userId}/${provider}`, options);
  }

  /** Revokes a user's provider (admins); `revoked: false` when there was none. */
  revoke(
    userId: string,
    provider: string,
    options: CallOptions = {},
  ): Promise<AuthorizationRevoked> {
    return this.transport.send('DELETE', pathOf`authorizations/${userId}/${provider}`, options);
  }
}
