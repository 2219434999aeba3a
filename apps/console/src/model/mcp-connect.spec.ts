import { describe, expect, it } from '@jest/globals';
import { exampleAuthHeaders, modernExample, sessionExample } from './mcp-connect';

describe('the MCP connection examples', () => {
  it('shows who the caller is in dev mode, but never a bearer token', () => {
    expect(exampleAuthHeaders({ 'x-user-id': 'ada', 'x-user-role': 'user' })).toEqual([
      ['x-user-id', 'ada'],
      ['x-user-role', 'user'],
    ]);
    const jwt = { authorization: 'Bearer eyJhbGciOi.secret.sig' };
    expect(exampleAuthHeaders(jwt)).toEqual([['Authorization', 'Bearer $SB_TOKEN']]);
    expect(modernExample('https://sb.example/mcp', jwt)).not.toContain('eyJhbGciOi');
    expect(sessionExample('https://sb.example/mcp', jwt)).not.toContain('eyJhbGciOi');
  });

  it('names the revision, method and tool in headers for 2026-07-28, with the _meta envelope', () => {
    const text = modernExample('https://sb.example/mcp', { 'x-user-id': 'ada' });
    expect(text).toContain('MCP-Protocol-Version: 2026-07-28');
    expect(text).toContain('Mcp-Method: server/discover');
    expect(text).toContain('Mcp-Method: tools/list');
    expect(text).toContain('Mcp-Name: calculator');
    expect(text).toContain('"io.modelcontextprotocol/protocolVersion":"2026-07-28"');
    expect(text).not.toContain('initialize');
  });

  it('opens, uses and ends a session for 2025-11-25', () => {
    const text = sessionExample('https://sb.example/mcp', { 'x-user-id': "o'neil" });
    expect(text).toContain('"method":"initialize"');
    expect(text).toContain('"protocolVersion":"2025-11-25"');
    expect(text).toContain('Mcp-Session-Id: $SID');
    expect(text).toContain('-X DELETE');
    // A quote in a header value stays inside its shell word.
    expect(text).toContain("-H 'x-user-id: o'\\''neil'");
  });
});
