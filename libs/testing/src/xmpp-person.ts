// A person's XMPP client for tests: `@xmpp/client` (xmpp.js), the library an ordinary JavaScript chat
// client uses — not the bridge's own login code — so a test sees what any client would. It logs in,
// says it is available (so messages to its bare JID reach it), keeps every message it receives, and
// sends chat messages and XEP-0004 form answers.
//
//   const alice = await connectXmppPerson({ service: `xmpp://127.0.0.1:${prosody.c2sPort}`,
//     domain: PROSODY_HOSTS.plain, username: 'alice', password });
//   const request = await alice.waitForMessage((m) => m.form?.type === 'form');
//   await alice.submitForm(request.from, { FORM_TYPE: '…', decision: 'approve' });
import { waitFor } from './wait-for.js';

/** XEP-0004 data forms. */
const NS_DATA = 'jabber:x:data';

/** The parts of xmpp.js' element this helper reads (the library ships no types). */
interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string): XmlElement[];
  getChildText(name: string): string | null;
  getText(): string;
  toString(): string;
}
type Xml = (name: string, attrs?: Record<string, string>, ...children: unknown[]) => XmlElement;
interface XmppJsClient {
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error' | 'offline', listener: (err?: unknown) => void): void;
  start(): Promise<{ toString(): string }>;
  stop(): Promise<void>;
  send(stanza: XmlElement): Promise<void>;
}
interface XmppJsModule {
  client(options: Record<string, unknown>): XmppJsClient;
  xml: Xml;
}

/** A message the person received, as a client shows it. */
export interface XmppPersonMessage {
  from: string;
  type: string;
  body?: string;
  thread?: string;
  /** An XEP-0004 form it carries: its type and each field's values by `var`. */
  form?: { type: string; fields: Record<string, string[]>; fieldTypes: Record<string, string> };
  xml: string;
}

export interface XmppPerson {
  /** The full JID the server bound. */
  jid: string;
  /** `user@domain` */
  bare: string;
  /** Every message received so far, oldest first. */
  readonly messages: readonly XmppPersonMessage[];
  /** The first message (received already, or later) that `matches`. */
  waitForMessage(
    matches: (m: XmppPersonMessage) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<XmppPersonMessage>;
  /** A chat message with this body. */
  say(to: string, body: string): Promise<void>;
  /** Answers a form (XEP-0004 `submit`, or `cancel`) in a chat message. */
  submitForm(
    to: string,
    fields: Record<string, string>,
    opts?: { type?: 'submit' | 'cancel'; thread?: string },
  ): Promise<void>;
  stop(): Promise<void>;
}

export interface XmppPersonOptions {
  /** `xmpp://host:port` (plaintext or STARTTLS; trust a private CA with NODE_EXTRA_CA_CERTS). */
  service: string;
  domain: string;
  username: string;
  password: string;
  resource?: string;
}

function readMessage(stanza: XmlElement): XmppPersonMessage {
  const form = stanza.getChild('x', NS_DATA);
  const fields: Record<string, string[]> = {};
  const fieldTypes: Record<string, string> = {};
  for (const f of form?.getChildren('field') ?? []) {
    const name = f.attrs['var'];
    if (!name) continue;
    fields[name] = f.getChildren('value').map((v) => v.getText());
    fieldTypes[name] = f.attrs['type'] ?? 'text-single';
  }
  const body = stanza.getChildText('body');
  const thread = stanza.getChildText('thread');
  return {
    from: stanza.attrs['from'] ?? '',
    type: stanza.attrs['type'] ?? 'normal',
    ...(body !== null ? { body } : {}),
    ...(thread !== null ? { thread } : {}),
    ...(form ? { form: { type: form.attrs['type'] ?? '', fields, fieldTypes } } : {}),
    xml: stanza.toString(),
  };
}

/** Logs in as a person and announces availability; resolves once the server has the presence. */
export async function connectXmppPerson(options: XmppPersonOptions): Promise<XmppPerson> {
  // A computed specifier: xmpp.js ships no type declarations (the shapes above are what is used).
  const specifier = '@xmpp/client';
  const { client, xml } = (await import(specifier)) as XmppJsModule;
  const xmpp = client({
    service: options.service,
    domain: options.domain,
    username: options.username,
    password: options.password,
    resource: options.resource ?? `person-${Math.random().toString(36).slice(2, 8)}`,
  });
  const messages: XmppPersonMessage[] = [];
  const errors: unknown[] = [];
  xmpp.on('error', (err) => errors.push(err));
  xmpp.on('stanza', (stanza) => {
    if (stanza.name === 'message') messages.push(readMessage(stanza));
  });
  const address = (await xmpp.start()).toString();
  await xmpp.send(xml('presence'));
  const send = (stanza: XmlElement) => xmpp.send(stanza);
  return {
    jid: address,
    bare: address.split('/')[0] ?? address,
    messages,
    waitForMessage: async (matches, what = 'a matching XMPP message', timeoutMs = 15_000) => {
      try {
        return await waitFor(() => messages.find(matches), { what, timeoutMs });
      } catch (e) {
        // Say what did arrive: the likeliest clue when the expected message did not.
        const seen = messages.map((m) => JSON.stringify(m.body ?? m.xml)).join(', ');
        throw new Error(
          `${(e as Error).message}; received: ${seen || 'nothing'}${errors.length ? `; errors: ${errors.map(String).join(', ')}` : ''}`,
          { cause: e },
        );
      }
    },
    say: (to, body) => send(xml('message', { type: 'chat', to }, xml('body', {}, body))),
    submitForm: (to, fields, opts = {}) =>
      send(
        xml(
          'message',
          { type: 'chat', to },
          ...(opts.thread ? [xml('thread', {}, opts.thread)] : []),
          xml(
            'x',
            { xmlns: NS_DATA, type: opts.type ?? 'submit' },
            ...Object.entries(fields).map(([name, value]) =>
              xml('field', { var: name }, xml('value', {}, value)),
            ),
          ),
        ),
      ),
    stop: async () => {
      await Promise.race([
        xmpp.stop().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
      ]);
    },
  };
}
