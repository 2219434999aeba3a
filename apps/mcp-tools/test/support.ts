import { ALL_STREAMS, Audit, AuditStream, type DomainError } from '@switchboard/contracts';
import {
  type BusClient,
  repoRoot,
  spawnManaged,
  tempDir,
  waitFor,
  type ManagedProcess,
} from '@switchboard/testing';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
}

/** Writes a tools file (YAML or JSON by extension) into a fresh temp dir and returns its path. */
export function writeToolsFile(name: string, text: string): string {
  const path = join(tempDir('tools-file'), name);
  writeFileSync(path, text);
  return path;
}

/** Creates the platform's JetStream streams so audit records published by the service are kept. */
export async function ensureStreams(client: BusClient): Promise<void> {
  await client.jetstream.ensureStreams(ALL_STREAMS);
}

/** Every audit record stored so far (the audit service is not running; records stay in the stream). */
export async function auditRecords(client: BusClient): Promise<Audit.AuditRecord[]> {
  const { messages } = await client.jetstream.replay(AuditStream, Audit.AuditRecorded.pattern, {
    follow: false,
  });
  const out: Audit.AuditRecord[] = [];
  for await (const m of messages) out.push(Audit.AuditRecord.parse(m.data));
  return out;
}

export interface StubServer {
  url: string;
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** A real HTTP server answering with `handle`, recording every request it receives. */
export async function startStub(
  handle: (url: URL, req: IncomingMessage) => { status: number; body: unknown },
): Promise<StubServer> {
  const requests: StubServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '/', headers: req.headers });
    const { status, body } = handle(new URL(req.url ?? '/', 'http://stub'), req);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ExampleHttpMcpServer {
  url: string;
  process: ManagedProcess;
  stats(): Promise<{ calls: number; cancelled: number; sessions: number }>;
}

/** The example Streamable HTTP MCP server (examples/mcp-servers/http-server.mjs) as a real process. */
export async function startExampleHttpMcpServer(
  env: Record<string, string> = {},
): Promise<ExampleHttpMcpServer> {
  const proc = spawnManaged(
    process.execPath,
    [join(repoRoot, 'examples/mcp-servers/http-server.mjs')],
    {
      name: 'mcp-http-example',
      cwd: repoRoot,
      env: { PORT: '0', ...env },
    },
  );
  const url = await waitFor(
    () => {
      const line = proc
        .logs()
        .split('\n')
        .find((l) => l.startsWith('{"listening"'));
      return line ? (JSON.parse(line) as { listening: string }).listening : undefined;
    },
    { what: 'the example MCP server to listen' },
  );
  const base = url.replace(/\/mcp$/, '');
  return {
    url,
    process: proc,
    stats: async () =>
      (await (await fetch(`${base}/stats`)).json()) as {
        calls: number;
        cancelled: number;
        sessions: number;
      },
  };
}

/** The stdio example server's command line, for MCP_SERVERS / tools files. */
export const STDIO_EXAMPLE = {
  command: process.execPath,
  args: [join(repoRoot, 'examples/mcp-servers/stdio-server.mjs')],
};

export interface HeldApi {
  url: string;
  /** Requests received so far. */
  received(): number;
  /** Answers the held requests (`{"ok":true}`), and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/** A real HTTP API that holds every answer until the test releases it (a slow tool, on demand). */
export async function startHeldApi(): Promise<HeldApi> {
  const held: ServerResponse[] = [];
  let count = 0;
  let released = false;
  const answer = (res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      if (released) answer(res);
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`,
    received: () => count,
    release: () => {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
