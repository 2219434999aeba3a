/** How one external MCP server is doing, for diagnostics (no SDK types, no secrets). */
export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  state: 'connecting' | 'connected' | 'disconnected';
  tools: number;
  /** Server name and version it reported when connecting. */
  server?: string | undefined;
  /**
   * The MCP revision spoken with it (`2026-07-28` when it answered `server/discover`, else what the
   * `initialize` handshake settled on, e.g. `2025-11-25`), once connected.
   */
  revision?: string | undefined;
  lastError?: string | undefined;
  since: string;
}

/** Implemented by the MCP client side; read by the admin debug tool. */
export interface McpStatusSource {
  status(): McpServerStatus[];
}

export const MCP_STATUS = Symbol.for('switchboard.mcp-status');
