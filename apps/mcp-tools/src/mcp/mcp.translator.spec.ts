import { isDomainError } from '@switchboard/contracts';
import type { McpServerConfig } from '../definitions/tools-file.schema.js';
import { RichToolOutput } from '../registry/tool-implementation.js';
import { serverCredentials, toDefinitions, toToolOutput } from './mcp.translator.js';

const server: McpServerConfig = {
  name: 'gh',
  transport: 'http',
  url: 'https://mcp.example.com/mcp',
  headers: { Authorization: 'Bearer {{GH_TOKEN}}' },
  requiresAuthorization: true,
  adminOnly: false,
  exclude: ['hidden'],
  tools: { delete_repo: { adminOnly: true, timeoutMs: 5_000 } },
  requiredRole: 'dev',
};

const schema = { type: 'object', properties: { q: { type: 'string' } } };

describe('the MCP translator', () => {
  it('names tools <alias>__<tool> under the server provider, with access from our configuration only', () => {
    const { tools, skipped } = toDefinitions(
      server,
      [
        {
          name: 'search',
          description: 'Search',
          inputSchema: schema,
          annotations: { readOnlyHint: true },
        },
        {
          name: 'delete_repo',
          title: 'Delete',
          inputSchema: schema,
          outputSchema: { type: 'object' },
          annotations: { destructiveHint: false },
        },
        { name: 'hidden', inputSchema: schema },
      ],
      30_000,
    );
    expect(skipped).toEqual([]);
    expect(tools).toEqual([
      expect.objectContaining({
        upstreamName: 'search',
        name: 'gh__search',
        title: 'search',
        provider: 'gh',
        handler: { kind: 'mcp', server: 'gh', tool: 'search' },
        requiredCredentials: ['GH_TOKEN'],
        requiredRole: 'dev',
        adminOnly: false,
        timeoutMs: 30_000,
      }),
      expect.objectContaining({
        name: 'gh__delete_repo',
        title: 'Delete',
        adminOnly: true,
        timeoutMs: 5_000,
        outputSchema: { type: 'object' },
      }),
    ]);
    expect(tools[0]!.description).toBe('Search');
    expect(tools[1]!.description).toBe('Tool delete_repo of the gh MCP server.');
  });

  it('skips what an untrusted server gets wrong, saying why', () => {
    const { tools, skipped } = toDefinitions(
      server,
      [
        { name: 'bad name', inputSchema: schema },
        { name: 'noschema' },
        { name: 'arr', inputSchema: { type: 'array' } },
        { name: 'dup', inputSchema: schema },
        { name: 'dup', inputSchema: schema },
        { name: 'x'.repeat(127), inputSchema: schema },
        'junk',
      ],
      1_000,
    );
    expect(tools.map((t) => t.name)).toEqual(['gh__dup']);
    expect(skipped).toEqual([
      'tools[0]: name: may hold letters, digits and . _ - only',
      expect.stringMatching(/^tools\[1\]: inputSchema: /),
      'tools[2]: inputSchema: must be a JSON Schema with "type": "object"',
      'dup: listed twice',
      expect.stringMatching(/is longer than 128 characters$/),
      expect.stringMatching(/^tools\[6\]: \(root\): /),
    ]);
  });

  it('finds the credentials a server connection uses', () => {
    expect(
      serverCredentials({
        ...server,
        headers: { A: '{{X_KEY}}', B: 'Bearer {{ Y_KEY }} and {{X_KEY}}' },
      }),
    ).toEqual(['X_KEY', 'Y_KEY']);
  });

  it('maps results: structured content, plain text, content blocks, and tool errors', () => {
    const structured = toToolOutput('gh__search', {
      content: [{ type: 'text', text: '{"n":1}' }],
      structuredContent: { n: 1 },
    });
    expect(structured).toBeInstanceOf(RichToolOutput);
    expect(structured.output).toEqual({ n: 1 });
    const text = toToolOutput('gh__search', {
      content: [
        { type: 'text', text: 'a' },
        { type: 'image', data: 'AAAA', mimeType: 'image/png' },
        { type: 'text', text: 'b' },
      ],
    });
    expect(text.output).toEqual({ text: 'a\nb' });
    expect(text.content).toHaveLength(3);
    try {
      toToolOutput('gh__search', {
        content: [{ type: 'text', text: 'rate limited' }],
        isError: true,
      });
      throw new Error('expected an error');
    } catch (e) {
      expect(isDomainError(e) && e.code).toBe('UPSTREAM_ERROR');
      expect((e as Error).message).toBe('gh__search failed: rate limited');
    }
    expect(() => toToolOutput('gh__search', { content: [{ type: 'video' }] })).toThrow(
      /the MCP server answered an invalid result \(content\.0/,
    );
  });
});
