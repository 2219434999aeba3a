// Types for the parts of @xmpp/client 0.14 (untyped JavaScript) the benchmark's floor peers use.
declare module '@xmpp/client' {
  import type { Element } from '@xmpp/xml';
  export { xml } from '@xmpp/xml';
  export interface Client {
    on(event: string, listener: (...args: never[]) => void): Client;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    iqCaller: { request(el: Element, timeout?: number): Promise<Element> };
    iqCallee: {
      set(
        ns: string,
        name: string,
        handler: (ctx: { stanza: Element; element: Element }) => unknown,
      ): void;
    };
  }
  export function client(options: Record<string, unknown>): Client;
}
