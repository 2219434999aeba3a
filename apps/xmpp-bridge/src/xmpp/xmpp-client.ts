// The xmpp.js (@xmpp/client 0.14) connection the bridge logs in with, wired from its parts rather
// than through `client()`, to close the gaps found in 0.14: TLS options (a private CA, certificate
// checks against the XMPP domain, a highest TLS version) for both direct TLS and STARTTLS, a linear
// parser, Nagle off, no automatic see-other-host reconnect behind our back, and the first bytes kept
// for diagnosing a wrong port. Stream negotiation itself is in login.procedure.ts.
import { Client } from '@xmpp/client-core';
import type StreamError from '@xmpp/connection/lib/StreamError.js';
import ConnectionTCP from '@xmpp/connection-tcp';
import XmppTlsSocket from '@xmpp/tls/lib/Socket.js';
import type { Element } from '@xmpp/xml';
import type { Socket as NetSocket } from 'node:net';
import {
  connect as tlsConnect,
  type ConnectionOptions,
  type SecureVersion,
  type TLSSocket,
} from 'node:tls';
import { XmppStreamParser } from './stream.parser.js';

export interface ClientTlsOptions {
  /** The XMPP domain: SNI and the name the certificate must carry (RFC 7590). */
  servername: string;
  rejectUnauthorized: boolean;
  ca?: string;
  maxVersion?: SecureVersion;
}

export interface BridgeClientOptions {
  domain: string;
  tls: ClientTlsOptions;
  /** Largest stanza accepted from the server. */
  maxStanzaChars: number;
  /** Used by xmpp.js for stream open/close waits; the login enforces its own deadline. */
  timeoutMs: number;
}

function tlsConnectOptions(tls: ClientTlsOptions): ConnectionOptions {
  return {
    servername: tls.servername,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
  };
}

/** xmpp.js' TLS socket wrapper, with our TLS options, Nagle off, and the TCP connect reported. */
function tlsSocketClass(tls: ClientTlsOptions): typeof XmppTlsSocket {
  return class BridgeTlsSocket extends XmppTlsSocket {
    override connect(params: Record<string, unknown>): void {
      const socket = tlsConnect({ ...params, ...tlsConnectOptions(tls) });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      socket.once('connect', () => this.emit('tcp-connect'));
      this._attachSocket(socket);
    }
  };
}

export class BridgeClient extends Client {
  /** The first bytes the server sent on the current socket (a TLS record means a direct-TLS port). */
  firstBytes: Buffer | undefined;
  bytesReceived = 0;
  private readonly bridgeOptions: BridgeClientOptions;

  constructor(options: BridgeClientOptions) {
    super({ domain: options.domain, timeout: options.timeoutMs });
    this.bridgeOptions = options;
    const TlsSocket = tlsSocketClass(options.tls);
    const maxStanzaChars = options.maxStanzaChars;
    class Parser extends XmppStreamParser {
      constructor() {
        super({ maxStanzaChars });
      }
    }
    // As @xmpp/tcp and @xmpp/tls do: the stream's default namespace is jabber:client.
    class PlainTransport extends ConnectionTCP {}
    Object.assign(PlainTransport.prototype, { Parser, NS: 'jabber:client' });
    class DirectTlsTransport extends ConnectionTCP {
      override socketParameters(service: string) {
        const url = new URL(service);
        return url.protocol === 'xmpps:'
          ? { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || 5223 }
          : undefined;
      }
    }
    Object.assign(DirectTlsTransport.prototype, { Parser, Socket: TlsSocket, NS: 'jabber:client' });
    this.transports.push(PlainTransport, DirectTlsTransport);
  }

  override _onData(data: Buffer): void {
    if (!this.firstBytes) this.firstBytes = data.subarray(0, 8);
    this.bytesReceived += data.length;
    // Bytes after the parser was detached (a stream restart or close) are not ours to parse.
    (this.parser as XmppStreamParser | null)?.write(data);
  }

  override _attachSocket(socket: unknown): void {
    this.firstBytes = undefined;
    super._attachSocket(socket);
    const raw = socket as NetSocket & { setNoDelay?: (v: boolean) => void };
    // Plain TCP (xmpp.js' Socket is a net.Socket): Nagle off for request latency.
    if (typeof raw.setNoDelay === 'function') raw.setNoDelay(true);
  }

  /** xmpp.js reconnects to the other host on its own; we report it instead (the login decides). */
  _onSeeOtherHost(error: StreamError): void {
    this.emit('error', error);
  }

  /** The TLS socket of the session, once TLS is up. */
  get tlsSocket(): TLSSocket | undefined {
    const wrapper = this.socket as unknown as { socket?: TLSSocket } | null;
    return wrapper && 'secure' in wrapper && wrapper.secure && wrapper.socket
      ? wrapper.socket
      : undefined;
  }

  /** STARTTLS: wraps the plain socket in TLS with our options; resolves when the handshake is done. */
  async upgradeToTls(): Promise<void> {
    const plain = this.socket as unknown as NetSocket;
    const TlsSocket = tlsSocketClass(this.bridgeOptions.tls);
    const wrapper = new TlsSocket();
    await new Promise<void>((resolve, reject) => {
      wrapper.once('connect', () => resolve());
      wrapper.once('error', (e: Error) => {
        plain.destroy();
        reject(e);
      });
      // The plain socket's listeners go first, or its close would later be taken for the session's.
      this._detachSocket();
      wrapper.connect({ socket: plain });
    });
    this._attachSocket(wrapper);
  }

  /** Drops the connection at once (login failures, shutdown after a grace period). */
  destroy(): void {
    const wrapper = this.socket as unknown as {
      socket?: { destroy(): void };
      destroy?: () => void;
    } | null;
    if (!wrapper) return;
    if (wrapper.socket) wrapper.socket.destroy();
    else wrapper.destroy?.();
  }

  /** Sends a stanza; the element's namespace comes from the stream. */
  sendElement(element: Element): Promise<void> {
    return this.send(element);
  }
}
