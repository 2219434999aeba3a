import { Approvals } from '@switchboard/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { toDefinitions } from '../mcp/mcp.translator.js';
import type { ToolImplementation } from '../registry/tool-implementation.js';
import { loadToolSources } from '../registry/tool-sources.js';
import { parseMcpServersJson, parseToolsDocument, ToolsFileError } from './tools-file.loader.js';

const BUILTINS = new Set(['calculator', 'time.now', 'notes.add', 'weather.current', 'admin.debug']);

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ToolsFileError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ToolsFileError');
};

const yaml = (text: string) => parseToolsDocument(text, 'TOOLS_FILE test.yaml', 'yaml', BUILTINS);

describe('the tools file', () => {
  it('reads providers, tools and MCP servers in the canonical spelling', () => {
    const content = yaml(`
providers:
  - name: crm
    requiresAuthorization: true
tools:
  - name: crm.lookup
    title: CRM lookup
    description: Finds a customer.
    provider: crm
    inputSchema: { type: object, properties: { q: { type: string } }, required: [q] }
    handler:
      kind: http_endpoint
      url: https://crm.example.com/search
      method: get
      headers: { Authorization: "Bearer {{CRM_TOKEN}}" }
    requiredCredentials: [CRM_TOKEN]
    requiredRole: sales
    timeoutMs: 5000
mcpServers:
  - name: github
    command: npx
    args: [github-mcp]
    env: { GITHUB_TOKEN: "{{GITHUB_TOKEN}}" }
    requiresAuthorization: true
`);
    expect(content.providers).toEqual([{ name: 'crm', requiresAuthorization: true }]);
    expect(content.tools[0]).toMatchObject({
      name: 'crm.lookup',
      provider: 'crm',
      handler: {
        kind: 'http_endpoint',
        method: 'GET',
        headers: { Authorization: 'Bearer {{CRM_TOKEN}}' },
        query: {},
      },
      requiredRole: 'sales',
      adminOnly: false,
      timeoutMs: 5000,
      idempotent: false,
    });
    expect(content.mcpServers[0]).toMatchObject({
      name: 'github',
      transport: 'stdio',
      command: 'npx',
      requiresAuthorization: true,
      exclude: [],
      tools: {},
    });
  });

  it('accepts the legacy snake_case MCPToolDefinition spelling', () => {
    const content = parseToolsDocument(
      JSON.stringify([
        {
          name: 'get_weather',
          description: 'Weather (legacy spelling)',
          input_schema: { type: 'object', properties: { location: { type: 'string' } } },
          output_schema: { type: 'object' },
          handler: 'python_function',
          required_role: 'user',
          admin_only: false,
          timeout: 2.5,
        },
        {
          name: 'forecast',
          description: 'Forecast over HTTP',
          input_schema: { type: 'object' },
          handler: 'http_endpoint',
          endpoint: {
            url: 'https://weather.example.com/forecast',
            method: 'post',
            headers: { 'X-Key': '{{FORECAST_KEY}}' },
          },
          required_credentials: ['FORECAST_KEY'],
        },
      ]),
      'TOOLS_FILE legacy-tools.json',
      'json',
      BUILTINS,
    );
    expect(content.tools[0]).toMatchObject({
      name: 'get_weather',
      title: 'get_weather',
      provider: 'local',
      inputSchema: { type: 'object' },
      outputSchema: { type: 'object' },
      handler: { kind: 'builtin', ref: 'weather.current' },
      requiredRole: 'user',
      timeoutMs: 2500,
    });
    expect(content.tools[1]).toMatchObject({
      handler: {
        kind: 'http_endpoint',
        url: 'https://weather.example.com/forecast',
        method: 'POST',
        headers: { 'X-Key': '{{FORECAST_KEY}}' },
      },
      requiredCredentials: ['FORECAST_KEY'],
    });
  });

  it('names the entry and the field of every problem, all at once', () => {
    const problems = problemsOf(() =>
      yaml(`
tools:
  - name: ok
    description: fine
    inputSchema: { type: object }
    handler: { kind: builtin, ref: calculator }
  - name: bad
    description: no schema type
    inputSchema: { properties: {} }
    handler: { kind: builtin, ref: calculator }
    colour: red
  - name: leaky
    description: uses a credential it does not declare
    inputSchema: { type: object }
    handler: { kind: http_endpoint, url: "https://x.example.com/?k={{SECRET_KEY}}" }
  - name: ghost
    description: python function with no counterpart
    inputSchema: { type: object }
    handler: python_function
    function: do_magic
  - name: ok
    description: duplicate
    inputSchema: { type: object }
    handler: { kind: builtin, ref: calculator }
extra: 1
`),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'extra: is not a known section (providers, tools, mcpServers, approvals)',
        'tools[1] ("bad"): inputSchema: must be a JSON Schema with "type": "object"',
        expect.stringMatching(/^tools\[1\] \("bad"\): .*colour/),
        'tools ("leaky"): handler.url: {{SECRET_KEY}} is not listed in requiredCredentials',
        expect.stringMatching(
          /^tools\[3\] \("ghost"\): handler: no built-in implementation "do_magic"; available: /,
        ),
        'tools: "ok" is defined twice',
      ]),
    );
  });

  it('refuses timeouts longer than callers wait for a tool call', () => {
    expect(
      problemsOf(() =>
        yaml(`
tools:
  - name: slow.report
    description: Builds a report.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
    timeoutMs: 120000
mcpServers:
  - name: slowpoke
    transport: http
    url: http://127.0.0.1:9/mcp
    timeoutMs: 90000
    tools: { crunch: { timeoutMs: 55000 } }
`),
      ),
    ).toEqual([
      'tools[0] ("slow.report"): timeoutMs: must be at most 50000 ms (callers wait 60000 ms for a tool call)',
      'mcpServers[0] ("slowpoke"): timeoutMs: must be at most 50000 ms (callers wait 60000 ms for a tool call)',
      'mcpServers[0] ("slowpoke"): tools.crunch.timeoutMs: must be at most 50000 ms (callers wait 60000 ms for a tool call)',
    ]);
  });

  it('refuses MCP handlers in the file and unknown handler kinds', () => {
    const problems = problemsOf(() =>
      yaml(`
tools:
  - { name: a, description: a, inputSchema: { type: object }, handler: { kind: mcp, server: s, tool: t } }
  - { name: b, description: b, inputSchema: { type: object }, handler: shell }
`),
    );
    expect(problems[0]).toMatch(
      /^tools\[0\] \("a"\): handler: tools of MCP servers are discovered from `mcpServers`/,
    );
    expect(problems).toContain(
      'tools[1] ("b"): handler: "shell" is not a handler kind (builtin, http_endpoint, python_function)',
    );
  });

  it('reports YAML and JSON syntax errors', () => {
    expect(problemsOf(() => yaml('tools: [ {'))[0]).toMatch(/^is not valid YAML/);
    expect(problemsOf(() => parseToolsDocument('{', 'x', 'json', BUILTINS))[0]).toMatch(
      /^is not valid JSON/,
    );
  });

  it('takes MCP servers keyed by name, as MCP clients write them', () => {
    const content = yaml(`
mcpServers:
  files:
    type: stdio
    command: node
    args: [server.js]
  remote:
    url: https://mcp.example.com/mcp
    headers: { Authorization: "Bearer {{REMOTE_TOKEN}}" }
    requires_authorization: true
    tools: { delete_all: { admin_only: true } }
`);
    expect(content.mcpServers.map((s) => [s.name, s.transport])).toEqual([
      ['files', 'stdio'],
      ['remote', 'http'],
    ]);
    expect(content.mcpServers[1]).toMatchObject({
      requiresAuthorization: true,
      tools: { delete_all: { adminOnly: true } },
    });
  });
});

const REQUESTER = Approvals.ApprovalPolicy.parse({});
const ADMINS = Approvals.ApprovalPolicy.parse({
  approvers: { requester: false, roles: ['admin'] },
  allowSelf: false,
});

describe('approval policies in the tools file', () => {
  it("reads a tool's approval, the legacy requires_approval flag and snake_case policy keys", () => {
    const content = yaml(`
tools:
  - name: pay
    description: Pays an invoice.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
    approval: { approvers: { requester: false, roles: [admin] }, allowSelf: false }
  - name: pay_legacy
    description: Pays an invoice.
    input_schema: { type: object }
    handler: python_function
    function: get_current_time
    requires_approval: true
  - name: pay_snake
    description: Pays an invoice.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
    approval: { expires_in_ms: 60000, on_expiry: fail }
  - name: free
    description: Needs nobody.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
    requires_approval: false
`);
    expect(Object.fromEntries(content.tools.map((t) => [t.name, t.approval]))).toEqual({
      pay: ADMINS,
      pay_legacy: REQUESTER,
      pay_snake: { ...REQUESTER, expiresInMs: 60_000, onExpiry: 'fail' },
      free: undefined,
    });
  });

  it('reads the approvals section by tool name, built-ins included', () => {
    const content = yaml(`
approvals:
  notes.add: {}
  calculator: { approvers: { requester: false, roles: [admin] }, allow_self: false }
`);
    expect(content.approvals).toEqual({ 'notes.add': REQUESTER, calculator: ADMINS });
  });

  it('names the entry and field of every invalid policy, all at once', () => {
    const problems = problemsOf(() =>
      yaml(`
tools:
  - name: pay
    description: Pays.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
    approval: { onExpiry: later }
    requires_approval: true
approvals:
  notes.add: { expiresInMs: 5 }
  calculator: { approvers: { requester: false } }
  "bad name": {}
  time.now: yes please
`),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'tools[0] ("pay"): requires_approval: give either requires_approval or approval',
        expect.stringMatching(/^tools\[0\] \("pay"\): approval\.onExpiry: /),
        'approvals.notes.add: expiresInMs: must be at least 1000 ms',
        'approvals.calculator: approvers: must name someone: requester, roles or users',
        expect.stringMatching(/^approvals\.bad name: may hold letters/),
        expect.stringMatching(/^approvals\.time\.now: /),
      ]),
    );
  });
});

describe('approval policies across tool sources', () => {
  const builtins = ['calculator', 'notes.add', 'time.now'].map(
    (name) => ({ definition: { name } }) as unknown as ToolImplementation,
  );
  const sourcesOf = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'approvals-')), 'tools.yaml');
    writeFileSync(file, text);
    return loadToolSources({ TOOLS_FILE: file } as McpToolsEnv, builtins);
  };
  const FILE = `
tools:
  - name: report
    description: Reports.
    inputSchema: { type: object }
    handler: { kind: builtin, ref: time.now }
mcpServers:
  gh:
    url: https://mcp.example.com/mcp
    approval: {}
    include: [create_issue, delete_repo, search]
    tools:
      delete_repo: { approval: { approvers: { requester: false, roles: [admin] }, allowSelf: false } }
      search: { requires_approval: false }
`;

  it('accepts names of built-ins, file tools and tools a configured MCP server may offer', () => {
    const sources = sourcesOf(`${FILE}
approvals: { notes.add: {}, report: {}, gh__create_issue: {} }
`);
    expect(Object.keys(sources.file.approvals)).toEqual([
      'notes.add',
      'report',
      'gh__create_issue',
    ]);
  });

  it('stops the boot naming every approvals entry that matches no tool', () => {
    const problems = problemsOf(() =>
      sourcesOf(`${FILE}
approvals: { notes.delete: {}, gh__not_included: {}, other__x: {}, report: {} }
`),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^approvals\.notes\.delete: no tool is called "notes\.delete"/),
      expect.stringMatching(/^approvals\.gh__not_included: no tool is called/),
      expect.stringMatching(/^approvals\.other__x: no tool is called/),
    ]);
  });

  it("gives an MCP server's approval to each of its tools unless the tool's own says otherwise", () => {
    const [server] = sourcesOf(FILE).mcpServers;
    const listed = ['create_issue', 'delete_repo', 'search'].map((name) => ({
      name,
      inputSchema: { type: 'object' },
    }));
    const { tools } = toDefinitions(server!, listed, 30_000);
    expect(Object.fromEntries(tools.map((t) => [t.name, t.approval]))).toEqual({
      gh__create_issue: REQUESTER,
      gh__delete_repo: ADMINS,
      gh__search: undefined,
    });
  });
});

describe('MCP_SERVERS', () => {
  it('parses a JSON list and names the server and field at fault', () => {
    expect(parseMcpServersJson('[{"name":"a","url":"http://127.0.0.1:1/mcp"}]')[0]).toMatchObject({
      name: 'a',
      transport: 'http',
    });
    const problems = problemsOf(() =>
      parseMcpServersJson(
        '[{"name":"Bad Name","url":"ftp://x"},{"name":"b","transport":"ws","url":"http://x"}]',
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MCP_SERVERS\[0\] \("Bad Name"\): name: /),
        expect.stringMatching(/^MCP_SERVERS\[0\] \("Bad Name"\): url: must be an http/),
        'MCP_SERVERS[1] ("b"): transport: "ws" is not supported (stdio, http)',
      ]),
    );
    expect(problemsOf(() => parseMcpServersJson('not json'))[0]).toMatch(/^is not valid JSON/);
  });
});
