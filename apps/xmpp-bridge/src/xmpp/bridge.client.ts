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
import { StanzaTooLargeError } from './stanza.limits.js';
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
  /** Largest stanza sent to the server (its limit, until it advertises its own). */
  maxOutgoingBytes?: number;
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

/** How many of the server's first bytes are kept (for the diagnosis of a port that is not XMPP). */
const HEAD_BYTES = 64;

/** The server's first bytes on a plain stream are neither XML nor a TLS record: not an XMPP port. */
export class NotXmppAnswerError extends Error {
  constructor(readonly firstBytes: Buffer) {
    super('the server answered with something other than an XML stream');
    this.name = 'NotXmppAnswerError';
  }
}

/** Alert (21) or handshake (22) record, version 3.x: a TLS server reading our plaintext stream header. */
export function isTlsRecord(bytes: Buffer | undefined): boolean {
  return (
    !!bytes && bytes.length >= 2 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03
  );
}

export class BridgeClient extends Client {
  /** The first bytes the server sent on the current socket (up to 64). */
  firstBytes: Buffer | undefined;
  bytesReceived = 0;
  /** Whether the server's stream header arrived on the current socket. */
  streamOpened = false;
  private headJudged = false;
  private readonly bridgeOptions: BridgeClientOptions;
  /**
   * The server's stanza size limit: a stanza over it is refused here (StanzaTooLargeError) rather
   * than sent, since the server would close the whole stream over it.
   */
  maxOutgoingBytes: number | undefined;

  constructor(options: BridgeClientOptions) {
    super({ domain: options.domain, timeout: options.timeoutMs });
    this.bridgeOptions = options;
    this.maxOutgoingBytes = options.maxOutgoingBytes;
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
    this.on('open', () => (this.streamOpened = true));
  }

  override _onData(data: Buffer): void {
    if (!this.firstBytes || this.firstBytes.length < HEAD_BYTES) {
      const head = Buffer.concat([this.firstBytes ?? Buffer.alloc(0), data]);
      this.firstBytes = Buffer.from(head.subarray(0, HEAD_BYTES));
    }
    this.bytesReceived += data.length;
    if (!this.headJudged && !this.streamOpened) this.judgeHead();
    // Bytes after the parser was detached (a stream restart or close) are not ours to parse.
    (this.parser as XmppStreamParser | null)?.write(data);
  }

  /**
   * An XMPP server's first bytes are `<?xml` or `<stream:stream`. Anything else (an HTTP status line,
   * a NATS INFO, an SSH banner) fails the login at once with those bytes, instead of waiting for a
   * stream header that never comes. TLS records are left to the TLS diagnosis.
   */
  private judgeHead(): void {
    const head = this.firstBytes ?? Buffer.alloc(0);
    let i = 0;
    while (i < head.length && [0x20, 0x09, 0x0a, 0x0d].includes(head[i] ?? 0)) i++;
    if (head[i] === 0xef && head[i + 1] === 0xbb && head[i + 2] === 0xbf) i += 3;
    if (i >= head.length || ((head[i] === 0x15 || head[i] === 0x16) && head.length - i < 2)) return;
    this.headJudged = true;
    if (head[i] === 0x3c /* < */ || isTlsRecord(head.subarray(i))) return;
    this.emit('error', new NotXmppAnswerError(head));
  }

  /**
   * xmpp.js' open() without its timer: the login waits for the stream features under its own
   * deadline, and that timer kept a process whose login had already failed (the doctor) alive until
   * AZTM_XMPP_TIMEOUT.
   */
  override open(options: { domain: string; lang?: string }): Promise<Element> {
    this._status('opening');
    const header = this.headerElement();
    header.attrs['to'] = options.domain;
    if (options.lang) header.attrs['xml:lang'] = options.lang;
    this.root = header;
    this._attachParser(new this.Parser());
    return this.write(this.header(header)).then(
      () =>
        new Promise<Element>((resolve, reject) => {
          const onOpen = (el: Element) => {
            this.off('error', onError);
            resolve(el);
          };
          const onError = (e: Error) => {
            this.off('open', onOpen);
            reject(e);
          };
          this.once('open', onOpen);
          this.once('error', onError);
        }),
    );
  }

  override _attachSocket(socket: unknown): void {
    this.firstBytes = undefined;
    this.streamOpened = false;
    this.headJudged = false;
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

  /** xmpp.js' send, with the size check: a stanza over the server's limit never leaves. */
  override async send(element: Element): Promise<void> {
    element.parent = this.root;
    const text = element.toString();
    const limit = this.maxOutgoingBytes;
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most stanzas need no byte count at all.
    if (limit !== undefined && text.length * 3 > limit) {
      const bytes = Buffer.byteLength(text);
      if (bytes > limit) throw new StanzaTooLargeError(bytes, limit);
    }
    await this.write(text);
    this.emit('send', element);
  }

  /**
   * Writes are corked until the end of the event-loop turn: the stanzas one turn produces (replies to
   * the several results one TCP read delivered, a body's chunks) leave as one TLS record and one
   * syscall instead of one each — under load the largest cost per exchange after the parser.
   */
  override write(data: string): Promise<void> {
    this.corkForThisTurn();
    return super.write(data);
  }

  private corked = false;

  private corkForThisTurn(): void {
    if (this.corked) return;
    const wrapper = this.socket as unknown as (NetSocket & { socket?: NetSocket }) | null;
    // The TLS socket inside xmpp.js' TLS wrapper, or the plain socket itself.
    const raw = wrapper && 'secure' in wrapper && wrapper.secure ? wrapper.socket : wrapper;
    if (!raw || typeof raw.cork !== 'function') return;
    raw.cork();
    this.corked = true;
    setImmediate(() => {
      this.corked = false;
      raw.uncork();
    });
  }
}
