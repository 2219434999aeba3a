import type { IncomingMessage } from 'node:http';

/** How much of a refused request's body is read (and dropped) so its client receives the answer. */
export const DISCARD_MAX_BYTES = 64 * 1_048_576;
/** How long a refused request's body is read for, at most. */
export const DISCARD_MAX_MS = 30_000;

/**
 * Reads and drops what is left of a request body the server will not use (one refused with 413
 * before it was read, or 415). An answer sent while the client is still uploading is followed by
 * closing the connection, and closing a socket with unread data resets it: most clients (Node's
 * fetch among them) then report EPIPE/ECONNRESET instead of the answer. Reading the rest first lets
 * the client finish sending and read the answer. Bounded in bytes and time: a client that sends more,
 * or more slowly, gets the answer and a closed connection.
 */
export function discardUnreadBody(
  req: IncomingMessage,
  limits: { maxBytes: number; maxMs: number } = {
    maxBytes: DISCARD_MAX_BYTES,
    maxMs: DISCARD_MAX_MS,
  },
): Promise<void> {
  if (req.complete || req.destroyed || req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const timer = setTimeout(finish, limits.maxMs);
    function onData(chunk: Buffer): void {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish();
    }
    function finish(): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      resolve();
    }
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', finish);
    req.once('error', finish);
    req.resume();
  });
}
