#!/usr/bin/env node
// @ts-check
// The demo MCP server over Streamable HTTP (stateful sessions) on http://127.0.0.1:$PORT/mcp.
//   PORT           port to listen on (0 or unset: any free port; the chosen one is printed as JSON)
//   DEMO_TOKEN     when set, every request must carry `Authorization: Bearer $DEMO_TOKEN`
// GET /stats answers { calls, cancelled, sessions } for tests.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createDemoServer, stats } from './demo-server.mjs';

const token = process.env.DEMO_TOKEN;
/** @type {Map<string, StreamableHTTPServerTransport>} */
const sessions = new Map();

/** @param {import('node:http').IncomingMessage} req */
async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const http = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/stats') return json(res, 200, { ...stats, sessions: sessions.size });
    if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found' });
    if (token && req.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, { error: 'missing or wrong bearer token' });
    const sessionId = req.headers['mcp-session-id'];
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!transport) {
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        return json(res, sessionId ? 404 : 400, {
          jsonrpc: '2.0',
          error: { code: -32000, message: 'no valid session' },
          id: null,
        });
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await createDemoServer({
        name: process.env.DEMO_NAME ?? 'switchboard-demo-http',
        token,
      }).connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  } catch (e) {
    if (!res.headersSent) json(res, 500, { error: /** @type {Error} */ (e).message });
  }
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${port}/mcp`, port })}\n`);
});

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.on(signal, () => {
    for (const t of sessions.values()) void t.close();
    http.close(() => process.exit(0));
    // Clients' keep-alive connections would otherwise hold the exit back until they time out (5 s).
    http.closeAllConnections();
  });
}
