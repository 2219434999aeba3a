// @ts-check
// A small MCP server for demos and tests, served over stdio (stdio-server.mjs) or Streamable HTTP
// (http-server.mjs). Its tools exercise what the platform must handle from an external server:
// structured output, plain text, an error result, a slow call that can be cancelled, a tool list that
// changes at runtime (list_changed), and a credential handed to it through its environment/headers.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Counters a test can read (GET /stats on the HTTP server). */
export const stats = { calls: 0, cancelled: 0, lastAuthorization: '' };

/**
 * @param {{ name?: string, token?: string }} [options]  `token`: the credential the platform injected.
 */
export function createDemoServer(options = {}) {
  const server = new McpServer(
    { name: options.name ?? 'switchboard-demo', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the text it was given.',
      inputSchema: { text: z.string().min(1).max(1000) },
      outputSchema: { text: z.string() },
      // Hints only: the platform must not trust them for access decisions.
      annotations: { readOnlyHint: true },
    },
    async ({ text }) => {
      stats.calls++;
      return { content: [{ type: 'text', text }], structuredContent: { text } };
    },
  );

  server.registerTool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    async ({ a, b }) => {
      stats.calls++;
      return {
        content: [{ type: 'text', text: String(a + b) }],
        structuredContent: { sum: a + b },
      };
    },
  );

  server.registerTool(
    'shout',
    {
      description: 'Upper-cases text (plain text result, no output schema).',
      inputSchema: { text: z.string() },
    },
    async ({ text }) => {
      stats.calls++;
      return { content: [{ type: 'text', text: text.toUpperCase() }] };
    },
  );

  server.registerTool(
    'fail',
    { description: 'Always fails with a tool error.', inputSchema: {} },
    async () => {
      stats.calls++;
      return {
        content: [{ type: 'text', text: 'the demo tool failed on purpose' }],
        isError: true,
      };
    },
  );

  server.registerTool(
    'slow',
    {
      description:
        'Waits `ms` milliseconds (default one minute) unless the call is cancelled first.',
      inputSchema: { ms: z.number().int().min(0).max(600_000).optional() },
    },
    async ({ ms }, extra) => {
      stats.calls++;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms ?? 60_000);
        extra.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          stats.cancelled++;
          process.stderr.write('slow: cancelled\n');
          reject(new Error('cancelled'));
        });
      });
      return { content: [{ type: 'text', text: 'done' }] };
    },
  );

  server.registerTool(
    'whoami',
    {
      description:
        'Reports the credential the platform gave this server (to prove it is injected, and scrubbed).',
      inputSchema: {},
    },
    async () => {
      stats.calls++;
      const token = options.token ?? '';
      // A careless server that logs and returns its secret: the platform must scrub both.
      process.stderr.write(`whoami: token is ${token}\n`);
      return {
        content: [{ type: 'text', text: `token=${token}` }],
        structuredContent: { hasToken: token.length > 0, token },
      };
    },
  );

  // A tool that appears and disappears at runtime; each change sends notifications/tools/list_changed.
  const extra = server.registerTool(
    'extra',
    { description: 'Only listed after enable_extra.', inputSchema: {} },
    async () => ({
      content: [{ type: 'text', text: 'extra' }],
      structuredContent: { extra: true },
    }),
  );
  extra.disable();
  server.registerTool(
    'enable_extra',
    { description: 'Adds the `extra` tool to the list.', inputSchema: {} },
    async () => {
      extra.enable();
      return { content: [{ type: 'text', text: 'enabled' }] };
    },
  );
  server.registerTool(
    'disable_extra',
    { description: 'Removes the `extra` tool from the list.', inputSchema: {} },
    async () => {
      extra.disable();
      return { content: [{ type: 'text', text: 'disabled' }] };
    },
  );

  return server;
}
