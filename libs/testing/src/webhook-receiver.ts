import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a webhook receiver got, as it came over the wire. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body (what a signature covers). */
  body: string;
  /** The status it was answered with. */
  answered: number;
}

/** A real HTTP server standing in for a user's webhook endpoint (tests only). */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`: the same port after a `down()` / `up()`. */
  url: string;
  /** Everything received, in order (also what was answered with an error). */
  received: ReceivedWebhook[];
  /** Answer every request from now on with this status (default 204). */
  answer(status: number): void;
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a webhook receiver on 127.0.0.1: it records every request with its raw body and headers and
 * answers the status it is told to. `down()` closes the listening socket (every connection attempt
 * is refused, as a receiver that is down) and `up()` reopens the same port.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = 204;
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            path: req.url ?? '/',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            answered: status,
          });
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(status < 300 ? '' : `receiver answers ${status}`);
        });
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      s.close(() => resolve());
      s.closeAllConnections();
    });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answer: (s) => (status = s),
    down,
    up: listen,
    close: down,
  };
}
