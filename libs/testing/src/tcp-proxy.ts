import { createServer, type Server, type Socket, connect } from 'node:net';
import { freePort } from './processes.js';

export interface TcpProxy {
  /** Loopback port the proxy listens on (the same across refuse() and accept()). */
  port: number;
  /** Whether new connections are forwarded right now. */
  readonly accepting: boolean;
  /** Connections forwarded since start. */
  readonly forwarded: number;
  /**
   * An outage: every open connection is reset and the listener closes, so new connections are refused
   * (ECONNREFUSED) until accept().
   */
  refuse(): Promise<void>;
  /** Ends the outage: listens again on the same port. */
  accept(): Promise<void>;
  stop(): Promise<void>;
}

export interface TcpProxyOptions {
  /**
   * A slow link: what the client sends reaches the server this much later (in order). For a client
   * whose server is far away (another zone), beside others that are near.
   */
  delayMs?: number;
}

/**
 * A TCP proxy on a free loopback port in front of `target`, for tests that make a shared server (e.g.
 * the machine's PostgreSQL) unreachable, or slow, for one client only: the client is pointed at the
 * proxy, and refuse() cuts it off while everyone else keeps using the server.
 */
export async function startTcpProxy(
  target: { host?: string; port: number },
  options: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const port = await freePort();
  const host = target.host ?? '127.0.0.1';
  const open = new Set<Socket>();
  let server: Server | undefined;
  let forwarded = 0;

  const pipe = (client: Socket) => {
    forwarded++;
    const upstream = connect(target.port, host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.once('close', () => open.delete(s));
      s.setNoDelay(true);
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    const delayMs = options.delayMs ?? 0;
    if (delayMs === 0) client.pipe(upstream);
    else {
      // Timers of the same delay fire in the order they were set: the bytes stay in order.
      const forward = (chunk: Buffer) => {
        if (!upstream.destroyed) upstream.write(chunk);
      };
      client.on('data', (chunk: Buffer) => setTimeout(forward, delayMs, chunk));
      client.on('end', () => setTimeout(() => upstream.end(), delayMs));
    }
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(pipe);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        server = s;
        resolve();
      });
    });

  const close = async () => {
    const s = server;
    server = undefined;
    // Reset, not a clean FIN: the client sees its connection break as when the server goes away. A
    // connection already closing (one side ended it) is only destroyed: resetting a socket with a
    // shutdown under way makes Node spin.
    for (const socket of open) {
      if (socket.writableEnded || socket.readableEnded) socket.destroy();
      else socket.resetAndDestroy();
    }
    open.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    port,
    get accepting() {
      return server !== undefined;
    },
    get forwarded() {
      return forwarded;
    },
    refuse: close,
    accept: async () => {
      if (!server) await listen();
    },
    stop: close,
  };
}
