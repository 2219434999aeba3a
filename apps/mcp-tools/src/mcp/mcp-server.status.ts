/** How one external MCP server is doing, for diagnostics (no SDK types, no secrets). */
export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  state: 'connecting' | 'connected' | 'disconnected';
  tools: number;
  /** Server name and version it reported when connecting. */
  server?: string | undefined;
  lastError?: string | undefined;
  since: string;
}

/** Implemented by the MCP client side; read by the admin debug tool. */
export interface McpStatusSource {
  status(): McpServerStatus[];
}

export const MCP_STATUS = Symbol.for('switchboard.mcp-status');
