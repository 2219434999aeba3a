#!/usr/bin/env node
// @ts-check
// The demo MCP server over stdio: `node examples/mcp-servers/stdio-server.mjs`.
// DEMO_TOKEN (optional) is the credential the platform injects through the child's environment.
// stdout carries only MCP messages; diagnostics go to stderr.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createDemoServer } from './demo-server.mjs';

const server = createDemoServer({
  name: process.env.DEMO_NAME ?? 'switchboard-demo-stdio',
  token: process.env.DEMO_TOKEN,
});
await server.connect(new StdioServerTransport());
process.stderr.write('demo MCP server ready on stdio\n');
