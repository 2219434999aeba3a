/** The MCP revisions /mcp answers (docs/mcp.md): the current one, and the one before it. */
export const MODERN_REVISION = '2026-07-28';
export const SESSION_REVISION = '2025-11-25';

/**
 * The caller's authentication headers as a curl example shows them: who they are in dev mode (the
 * `X-User-Id`/`X-User-Role`/`X-Tenant-Id` they signed in with), but a bearer token only as `$SB_TOKEN`
 * — the page never prints a credential where a screenshot or a shoulder would take it.
 */
export function exampleAuthHeaders(auth: Record<string, string>): [string, string][] {
  return Object.entries(auth).map(([name, value]) =>
    name.toLowerCase() === 'authorization' ? ['Authorization', 'Bearer $SB_TOKEN'] : [name, value],
  );
}

const headerArgs = (headers: [string, string][]) =>
  headers.map(([n, v]) => `-H '${n}: ${v.replaceAll("'", "'\\''")}'`).join(' ');

/** `_meta` a 2026-07-28 request carries: the revision and the client's capabilities. */
export const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_REVISION,
  'io.modelcontextprotocol/clientCapabilities': {},
};

/**
 * Runnable bash for revision 2026-07-28: no session, every request names its revision, method (and
 * tool) in headers that must agree with the body; `server/discover`, then `tools/list`.
 */
export function modernExample(endpoint: string, auth: Record<string, string>): string {
  const meta = JSON.stringify({ _meta: MODERN_META }).slice(1, -1);
  return [
    `MCP=${endpoint}`,
    `H=(${headerArgs(exampleAuthHeaders(auth))} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: ${MODERN_REVISION}')`,
    `META='${meta}'`,
    '# what the server is, the extensions it supports, and (in its instructions) your tools',
    `curl -s "$MCP" "\${H[@]}" -H 'Mcp-Method: server/discover' \\`,
    `  -d '{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{'"$META"'}}'`,
    '# the tools you may call',
    `curl -s "$MCP" "\${H[@]}" -H 'Mcp-Method: tools/list' \\`,
    `  -d '{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{'"$META"'}}'`,
    '# one call (Mcp-Name names the tool, as the body does)',
    `curl -s "$MCP" "\${H[@]}" -H 'Mcp-Method: tools/call' -H 'Mcp-Name: calculator' \\`,
    `  -d '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"calculator","arguments":{"expression":"17 * 23"},'"$META"'}}'`,
  ].join('\n');
}

/**
 * Runnable bash for revision 2025-11-25: `initialize` opens a session (its id comes back in the
 * `Mcp-Session-Id` header and goes with every later request), then `tools/list`, then the session ends.
 */
export function sessionExample(endpoint: string, auth: Record<string, string>): string {
  return [
    `MCP=${endpoint}`,
    `H=(${headerArgs(exampleAuthHeaders(auth))} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')`,
    `SID=$(curl -si "$MCP" "\${H[@]}" \\`,
    `  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"${SESSION_REVISION}","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' \\`,
    `  | tr -d '\\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')`,
    `S=(-H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: ${SESSION_REVISION}')`,
    `curl -s "$MCP" "\${H[@]}" "\${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'`,
    `curl -s "$MCP" "\${H[@]}" "\${S[@]}" -d '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'`,
    `curl -s -X DELETE "$MCP" "\${H[@]}" "\${S[@]}"   # end the session`,
  ].join('\n');
}
