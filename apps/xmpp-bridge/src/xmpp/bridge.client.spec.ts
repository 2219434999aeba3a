import { describe, expect, it } from '@jest/globals';
import { xml } from '@xmpp/xml';
import { StanzaTooLargeError } from './stanza.limits.js';
import { BridgeClient, NotXmppAnswerError } from './bridge.client.js';

/** A client fed `chunks` as if the server had sent them; returns the errors it raised. */
function feed(chunks: (string | number[])[], opened = false): Error[] {
  const client = new BridgeClient({
    domain: 'x.example',
    timeoutMs: 1_000,
    maxStanzaChars: 1_000_000,
    tls: { servername: 'x.example', rejectUnauthorized: true },
  });
  const errors: Error[] = [];
  client.on('error', (e: Error) => errors.push(e));
  if (opened) client.emit('open');
  for (const c of chunks) client._onData(Buffer.from(c as string));
  return errors;
}

describe(BridgeClient.name, () => {
  it('fails at once when the first bytes are not an XML stream, keeping them for the diagnosis', () => {
    const [http] = feed(['HTTP/1.1 400 Bad Request\r\n\r\n']);
    expect(http).toBeInstanceOf(NotXmppAnswerError);
    expect((http as NotXmppAnswerError).firstBytes.toString()).toBe(
      'HTTP/1.1 400 Bad Request\r\n\r\n',
    );
    // Whitespace first, the rest in a later read.
    expect(feed(['\r\n', 'INFO {"server_id":"N"}'])[0]).toBeInstanceOf(NotXmppAnswerError);
    // Only the first 64 bytes are kept, however much arrives.
    const [long] = feed(['x'.repeat(10_000)]);
    expect((long as NotXmppAnswerError).firstBytes).toHaveLength(64);
  });

  it('lets XML streams and TLS records through (the TLS diagnosis handles the latter)', () => {
    expect(feed(["<?xml version='1.0'?><stream:stream"])).toEqual([]);
    expect(feed(['\n  <stream:stream'])).toEqual([]);
    expect(feed([[0xef, 0xbb, 0xbf], '<?xml'])).toEqual([]);
    expect(feed([[0x15, 0x03, 0x03, 0x00, 0x02]])).toEqual([]);
    // A TLS record split after its first byte is still recognised.
    expect(feed([[0x16], [0x03, 0x01]])).toEqual([]);
    // Once the stream is open, bytes are the parser's business alone.
    expect(feed(['not xml at all'], true)).toEqual([]);
  });

  it("never sends a stanza over the server's limit (the server would close the session): it refuses it unsent", async () => {
    const client = new BridgeClient({
      domain: 'x.example',
      timeoutMs: 1_000,
      maxStanzaChars: 1_000_000,
      maxOutgoingBytes: 1_000,
      tls: { servername: 'x.example', rejectUnauthorized: true },
    });
    const written: string[] = [];
    client.write = async (data: string) => void written.push(data);
    await client.sendElement(xml('message', { to: 'a@x' }, xml('body', {}, 'é'.repeat(300))));
    expect(written).toHaveLength(1);
    const big = xml('message', { to: 'a@x' }, xml('body', {}, 'é'.repeat(600)));
    await expect(client.sendElement(big)).rejects.toBeInstanceOf(StanzaTooLargeError);
    await expect(client.sendElement(big)).rejects.toMatchObject({ limit: 1_000 });
    expect(written).toHaveLength(1);
    // The limit the server advertises at login replaces the configured one.
    client.maxOutgoingBytes = 4_000;
    await client.sendElement(big);
    expect(written).toHaveLength(2);
  });
});
