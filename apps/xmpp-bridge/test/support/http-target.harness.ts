// The local HTTP server an agent's bridge forwards to in the integration tests (on TCP or a unix socket).
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface HttpTarget {
  url: string;
  port: number;
  /** The unix socket it listens on instead of TCP, when asked to. */
  socket: string | undefined;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[];
  /** The `/sse` responses, in order of arrival. */
  streams: TargetStream[];
  close(): Promise<void>;
}

/** An SSE response of the target: its first event is out, the rest waits for `release()`. */
export interface TargetStream {
  url: string;
  /** Whether the target has written its last event and ended the response. */
  ended: boolean;
  /** Whether the connection closed before the response ended (the bridge aborted the request). */
  closedEarly: boolean;
  /** Writes the second event and ends the response. */
  release(): void;
}

/** The cookies `/repeated` sets, in order: each Expires date holds `, ` (joining them would be lossy). */
export const REPEATED_COOKIES = [
  'session=s1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Path=/; HttpOnly',
  'theme=dark; Expires=Thu, 22 Oct 2026 07:28:00 GMT; Path=/',
];

/** Deterministic bytes for body checks. */
export function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

/**
 * The local HTTP server behind an agent's bridge: `/echo` answers JSON describing the request,
 * `/bytes?n=` n patterned bytes, `/slow?ms=` answers after a delay, `/status/<code>` that status,
 * `/sse` an event stream whose second event waits for the test (`streams`), `/chunked` a JSON body
 * of unknown length written in two pieces at once, `/repeated` two Set-Cookie (`REPEATED_COOKIES`)
 * and two X-Multi (`a`, `b`) headers.
 */
export async function startHttpTarget(opts: { socket?: string } = {}): Promise<HttpTarget> {
  const requests: HttpTarget['requests'] = [];
  const streams: TargetStream[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://target');
      if (url.pathname === '/bytes') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(pattern(Number(url.searchParams.get('n'))));
        return;
      }
      if (url.pathname === '/slow') {
        setTimeout(
          () => {
            res.writeHead(200, { 'Content-Type': 'text/plain' });
            res.end('slow');
          },
          Number(url.searchParams.get('ms')),
        ).unref(); // a test may leave it unanswered: it must not keep the run alive
        return;
      }
      if (url.pathname === '/sse') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write('data: first\n\n');
        const stream: TargetStream = {
          url: req.url ?? '',
          ended: false,
          closedEarly: false,
          release: () => {
            res.write('data: second\n\n');
            res.end(() => (stream.ended = true));
          },
        };
        res.on('close', () => {
          if (!res.writableFinished) stream.closedEarly = true;
        });
        streams.push(stream);
        return;
      }
      if (url.pathname === '/chunked') {
        // No Content-Length: Node sends it chunked.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"chunked":');
        res.end('true}');
        return;
      }
      if (url.pathname === '/repeated') {
        res.writeHead(200, {
          'Content-Type': 'text/plain',
          'Set-Cookie': REPEATED_COOKIES,
          'X-Multi': ['a', 'b'],
        });
        res.end('repeated');
        return;
      }
      if (url.pathname.startsWith('/status/')) {
        res.writeHead(Number(url.pathname.slice(8)), { 'Content-Type': 'text/plain' });
        res.end('status');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Target': 'yes' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          from: req.headers['x-xmpp-from'],
          contentType: req.headers['content-type'],
          bytes: body.length,
          sha: body.length
            ? body.toString('base64').length > 200
              ? `${body.length}`
              : body.toString('utf8')
            : '',
        }),
      );
    });
  });
  const port = await new Promise<number>((resolve) =>
    opts.socket
      ? server.listen(opts.socket, () => resolve(0))
      : server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: opts.socket ? 'http://agent.local' : `http://127.0.0.1:${port}`,
    port,
    socket: opts.socket,
    requests,
    streams,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
