import { createMcpHandler } from '@modelcontextprotocol/server';
import { McpTaskingServer } from './mcp-tasking.server.js';
import { createTaskResult, toMcpTask } from './mcp-tasks.js';

const TASK = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const AT = '2026-11-26T10:00:00.000Z';
const TASKS = { 'io.modelcontextprotocol/tasks': {} };

/** The answer the SDK puts on the wire for one 2026-07-28 tools/call whose handler answers `answer`. */
async function wire(answer: unknown, extensions?: Record<string, unknown>) {
  const handler = createMcpHandler(
    () => {
      const server = new McpTaskingServer(
        { name: 'switchboard', version: '1.0.0' },
        { capabilities: { tools: {}, extensions: TASKS } },
      );
      server.setRequestHandler('tools/list', () => ({ tools: [] }));
      server.setRequestHandler('tools/call', async () => answer as never);
      return server;
    },
    { legacy: 'reject' },
  );
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: {
      name: 'notes.add',
      arguments: {},
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientCapabilities': extensions ? { extensions } : {},
      },
    },
  };
  const response = await handler.fetch(
    new Request('http://localhost/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'notes.add',
      },
      body: JSON.stringify(body),
    }),
  );
  await handler.close();
  return (await response.json()) as {
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  };
}

const task = createTaskResult(
  toMcpTask({ taskId: TASK, status: 'running', createdAt: AT, updatedAt: AT }),
);

describe('McpTaskingServer', () => {
  it('sends a task answer as the task result it is, without the tool-result fields the SDK would add', async () => {
    const { result } = await wire(task, TASKS);
    expect(Object.keys(result!).sort()).toEqual([
      '_meta',
      'createdAt',
      'lastUpdatedAt',
      'pollIntervalMs',
      'resultType',
      'status',
      'taskId',
      'ttlMs',
    ]);
    expect(result).toMatchObject({ resultType: 'task', taskId: TASK, status: 'working' });
    expect(result!['_meta']).toMatchObject({
      'io.modelcontextprotocol/related-task': { taskId: TASK },
      'io.modelcontextprotocol/serverInfo': { name: 'switchboard' },
    });
  });

  it('still checks the tool results it sends', async () => {
    const ok = await wire({ content: [{ type: 'text', text: 'hi' }] }, TASKS);
    expect(ok.result).toMatchObject({ resultType: 'complete', content: [{ text: 'hi' }] });
    const bad = await wire({ content: 'hi' }, TASKS);
    expect(bad.error?.message).toMatch(/Invalid tools\/call result/);
  });

  it('refuses to send a task to a client whose request did not take the extension', async () => {
    const { result, error } = await wire(task);
    expect(result).toBeUndefined();
    expect(error).toMatchObject({ code: -32603 });
  });
});
