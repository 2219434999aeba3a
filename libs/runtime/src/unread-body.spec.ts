import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { discardUnreadBody } from './unread-body.js';

/** A request body still arriving: `complete` turns true when it has ended. */
function arriving(): PassThrough & { complete: boolean } {
  const body = Object.assign(new PassThrough(), { complete: false });
  body.on('end', () => (body.complete = true));
  return body;
}

describe(discardUnreadBody.name, () => {
  it('reads the rest of the body to its end', async () => {
    const body = arriving();
    const done = discardUnreadBody(body as unknown as IncomingMessage, {
      maxBytes: 1_000,
      maxMs: 60_000,
    });
    body.write(Buffer.alloc(300));
    body.end(Buffer.alloc(300));
    await done;
    expect(body.complete).toBe(true);
  });

  it('stops reading after maxBytes, and returns at once for a body already read', async () => {
    const body = arriving();
    const done = discardUnreadBody(body as unknown as IncomingMessage, {
      maxBytes: 100,
      maxMs: 60_000,
    });
    body.write(Buffer.alloc(150));
    await done;
    expect(body.complete).toBe(false);
    const read = Object.assign(new PassThrough(), { complete: true });
    await discardUnreadBody(read as unknown as IncomingMessage);
  });
});
