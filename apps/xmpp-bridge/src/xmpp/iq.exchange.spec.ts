import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { IqExchange } from './iq.exchange.js';
import { StanzaTooLargeError } from './stanza.limits.js';
import type { BridgeClient } from './bridge.client.js';

const logger = createLogger({ service: 'test', instance: 't', level: 'silent', pretty: false });

/** A client that refuses stanzas over `limit` characters, as BridgeClient does over the server's limit. */
function clientWithLimit(limit: number) {
  const sent: Element[] = [];
  const client = {
    sendElement: async (el: Element) => {
      const bytes = Buffer.byteLength(el.toString());
      if (bytes > limit) throw new StanzaTooLargeError(bytes, limit);
      sent.push(el);
    },
  } as unknown as BridgeClient;
  return { client, sent };
}

function exchange(client: BridgeClient) {
  return new IqExchange({ bare: 'bridge@x', domain: 'x' }, logger, {
    client: () => client,
    boundJid: () => 'bridge@x/r',
  });
}

describe(IqExchange.name, () => {
  it('answers <not-acceptable/> with <stanza-too-big/> when its own answer is over the limit, and says so to the handler', async () => {
    const { client, sent } = clientWithLimit(2_000);
    const sut = exchange(client);
    const abandoned: Error[] = [];
    sut.handle('urn:example', 'q', () => ({
      payload: xml('answer', { xmlns: 'urn:example' }, 'x'.repeat(5_000)),
      abandon: (why) => abandoned.push(why),
      after: async () => {
        throw new Error('never called: the answer did not leave');
      },
    }));
    await sut.onQuery(
      client,
      xml('iq', { type: 'get', from: 'peer@x/p', id: 'q1' }, xml('q', { xmlns: 'urn:example' })),
    );
    expect(abandoned).toEqual([expect.any(StanzaTooLargeError)]);
    expect(sent).toHaveLength(1);
    const error = sent[0]!;
    expect(error.attrs).toMatchObject({ type: 'error', to: 'peer@x/p', id: 'q1' });
    expect(error.getChild('error')?.getChild('not-acceptable')).toBeDefined();
    expect(error.getChild('error')?.getChild('stanza-too-big', 'urn:xmpp:errors')).toBeDefined();
  });

  it('rejects a request of its own over the limit with StanzaTooLargeError (not as a lost session)', async () => {
    const { client } = clientWithLimit(200);
    const sut = exchange(client);
    await expect(
      sut.request(client, xml('iq', { type: 'set', to: 'peer@x/p' }, 'y'.repeat(500)), 1_000),
    ).rejects.toBeInstanceOf(StanzaTooLargeError);
  });

  it('fails the requests waiting for a peer that went offline, and only those', async () => {
    const { client } = clientWithLimit(10_000);
    const sut = exchange(client);
    const toGone = sut.request(client, xml('iq', { type: 'get', to: 'peer@x/a' }), 60_000);
    const toOther = sut.request(
      client,
      xml('iq', { type: 'get', to: 'peer@x/b', id: 'b' }),
      60_000,
    );
    sut.rejectTo('Peer@X/a', new Error('peer@x/a went offline'));
    await expect(toGone).rejects.toThrow('went offline');
    sut.onReply(xml('iq', { type: 'result', id: 'b', from: 'peer@x/b' }));
    await expect(toOther).resolves.toBeDefined();
  });
});
