// Types for the parts of xmpp.js 0.14 (untyped JavaScript) the bridge uses.
declare module '@xmpp/xml' {
  export type Node = Element | string;
  export class Element {
    constructor(name: string, attrs?: Record<string, string>);
    name: string;
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    text(): string;
    cnode(child: Node): Node;
    append(...nodes: Node[]): void;
    c(name: string, attrs?: Record<string, string>): Element;
    t(text: string): Element;
    up(): Element;
    toString(): string;
  }
  export function xml(
    name: string,
    attrs?: Record<string, string | number | undefined> | null,
    ...children: (Node | Node[] | undefined | null | false)[]
  ): Element;
  export function escapeXMLText(s: string): string;
  export function escapeXML(s: string): string;
  export default xml;
}

declare module '@xmpp/connection' {
  import { EventEmitter } from 'node:events';
  import type { Element } from '@xmpp/xml';
  export default class Connection extends EventEmitter {
    constructor(options?: Record<string, unknown>);
    status: string;
    socket:
      | (EventEmitter & {
          secure?: boolean;
          end(): void;
          destroy?(): void;
          write(data: string, cb?: (err?: Error) => void): void;
        })
      | null;
    parser: EventEmitter | null;
    root: Element | null;
    options: Record<string, unknown>;
    timeout: number;
    jid: unknown;
    isSecure(): boolean;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<Element>;
    restart(): Promise<Element>;
    disconnect(): Promise<Element | undefined>;
    stop(): Promise<Element | undefined>;
    send(element: Element): Promise<void>;
    write(data: string): Promise<void>;
    _attachSocket(socket: unknown): void;
    _detachSocket(): void;
    _onData(data: Buffer): void;
    _attachParser(parser: EventEmitter): void;
    _status(status: string, ...args: unknown[]): void;
    Parser: new () => EventEmitter;
    header(el: Element): string;
    headerElement(): Element;
  }
}

declare module '@xmpp/connection/lib/StreamError.js' {
  import type { Element } from '@xmpp/xml';
  export default class StreamError extends Error {
    condition: string;
    text: string;
    application?: Element;
    element?: Element;
    static fromElement(element: Element): StreamError;
  }
}

declare module '@xmpp/client-core' {
  import Connection from '@xmpp/connection';
  export class Client extends Connection {
    transports: unknown[];
  }
}

declare module '@xmpp/connection-tcp' {
  import Connection from '@xmpp/connection';
  export default class ConnectionTCP extends Connection {
    socketParameters(service: string): { host: string; port: number | null } | undefined;
  }
}

declare module '@xmpp/tls/lib/Socket.js' {
  import { EventEmitter } from 'node:events';
  import type { TLSSocket } from 'node:tls';
  export default class Socket extends EventEmitter {
    secure: boolean;
    socket: TLSSocket | null;
    connect(...args: unknown[]): void;
    _attachSocket(socket: TLSSocket): void;
    end(): void;
    write(data: string, cb?: (err?: Error) => void): void;
  }
}
