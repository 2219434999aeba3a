import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** Connects, sends `text` and resolves with what comes back first, or the socket error's code. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    s.once('data', (d) => {
      resolve(d.toString());
      s.destroy();
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('startTcpProxy', () => {
  let echo: Server;
  let echoPort: number;
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((s) => {
      s.on('error', () => s.destroy()); // the proxy resets its side during an outage
      s.pipe(s);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as { port: number }).port;
    proxy = await startTcpProxy({ port: echoPort });
  });

  afterAll(async () => {
    await proxy.stop();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('forwards both ways to its target', async () => {
    expect(proxy.port).not.toBe(echoPort);
    expect(await roundTrip(proxy.port, 'hello')).toBe('hello');
    expect(proxy.forwarded).toBeGreaterThanOrEqual(1);
  });

  it('resets open connections and refuses new ones while refusing, then forwards again on the same port', async () => {
    const open: Socket = connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => open.once('connect', resolve));
    const broken = new Promise<string>((resolve) => {
      open.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      open.once('close', () => resolve('closed'));
    });
    await proxy.refuse();
    expect(proxy.accepting).toBe(false);
    expect(await broken).toBe('ECONNRESET');
    expect(await roundTrip(proxy.port, 'anyone?')).toBe('ECONNREFUSED');

    await proxy.accept();
    expect(proxy.accepting).toBe(true);
    expect(await roundTrip(proxy.port, 'back')).toBe('back');
  });
});
