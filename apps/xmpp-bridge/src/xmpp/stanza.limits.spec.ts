import { describe, expect, it } from '@jest/globals';
import { xml } from '@xmpp/xml';
import {
  advertisedStanzaLimit,
  bodyRoom,
  chunkBytesWithin,
  NS_STREAM_LIMITS,
  stanzaBytes,
} from './stanza.limits.js';

const features = (...children: ReturnType<typeof xml>[]) =>
  xml(
    'stream:features',
    {},
    xml('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' }),
    ...children,
  );

describe('stanza limits', () => {
  it("reads the server's XEP-0478 max-bytes, and nothing when it advertises none or nonsense", () => {
    expect(
      advertisedStanzaLimit(
        features(
          xml(
            'limits',
            { xmlns: NS_STREAM_LIMITS },
            xml('max-bytes', {}, ' 262144 '),
            xml('idle-seconds', {}, '840'),
          ),
        ),
      ),
    ).toBe(262_144);
    expect(advertisedStanzaLimit(features())).toBeUndefined();
    expect(
      advertisedStanzaLimit(
        features(xml('limits', { xmlns: NS_STREAM_LIMITS }, xml('idle-seconds', {}, '840'))),
      ),
    ).toBeUndefined();
    expect(
      advertisedStanzaLimit(
        features(xml('limits', { xmlns: NS_STREAM_LIMITS }, xml('max-bytes', {}, 'lots'))),
      ),
    ).toBeUndefined();
    // Another namespace is another feature.
    expect(
      advertisedStanzaLimit(
        features(xml('limits', { xmlns: 'urn:example' }, xml('max-bytes', {}, '10'))),
      ),
    ).toBeUndefined();
  });

  it('leaves an inline body the room its envelope does not take, counted in UTF-8 bytes', () => {
    const envelope = xml('iq', { type: 'set', to: 'agent@x/r', id: 'é1' }, xml('req'));
    expect(stanzaBytes(envelope)).toBe(Buffer.byteLength(envelope.toString()));
    const room = bodyRoom({ bytes: 10_000, source: 'configured' }, envelope);
    expect(room).toBeLessThan(10_000 - stanzaBytes(envelope));
    expect(room).toBeGreaterThan(9_900 - stanzaBytes(envelope));
  });

  it('sizes chunks so that each chunk message fits, within the XEP-0332 bounds', () => {
    const limit = (bytes: number) => ({ bytes, source: 'advertised' as const });
    expect(chunkBytesWithin(limit(4_194_304), 'agent@x/r', 49_152)).toBe(49_152);
    const fitted = chunkBytesWithin(limit(20_000), 'agent@x/r', 49_152);
    expect(fitted).toBeLessThan(15_000);
    expect(Math.ceil(fitted / 3) * 4 + 256 + 9).toBeLessThanOrEqual(20_000);
    expect(chunkBytesWithin(limit(10), 'agent@x/r', 49_152)).toBe(256);
  });
});
