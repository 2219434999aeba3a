import { describe, expect, it } from '@jest/globals';
import { createLogger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import { PeerOfflineError, PresenceDirectory } from './presence.directory.js';

function setup(allowed: string[] = []) {
  const sent: Element[] = [];
  const gone: string[] = [];
  const sut = new PresenceDirectory(['agent@x.example'], {
    send: async (s) => void sent.push(s),
    isAllowed: (bare) => allowed.includes(bare),
    ownBare: 'bridge@x.example',
    logger: createLogger({ service: 'test', instance: 't', level: 'silent', pretty: false }),
    onGone: (jid) => gone.push(jid),
  });
  return { sut, sent, gone };
}

describe(PresenceDirectory.name, () => {
  it('subscribes to every peer once online', () => {
    const { sut, sent } = setup();
    sut.online();
    expect(sent.map((s) => s.toString())).toEqual([
      '<presence to="agent@x.example" type="subscribe"/>',
    ]);
  });

  it('hands out available resources round robin and forgets unavailable ones', async () => {
    const { sut } = setup();
    sut.onPresence(xml('presence', { from: 'Agent@x.example/a' }));
    sut.onPresence(xml('presence', { from: 'agent@x.example/b' }));
    expect([
      await sut.resolve('agent@x.example', 0),
      await sut.resolve('agent@x.example', 0),
      await sut.resolve('agent@x.example', 0),
    ]).toEqual(['agent@x.example/a', 'agent@x.example/b', 'agent@x.example/a']);
    sut.onPresence(xml('presence', { from: 'agent@x.example/a', type: 'unavailable' }));
    expect(await sut.resolve('agent@x.example', 0)).toBe('agent@x.example/b');
    expect(await sut.resolve('agent@x.example/fixed', 0)).toBe('agent@x.example/fixed');
    sut.offline(new Error('gone'));
    expect(sut.isOnline('agent@x.example')).toBe(false);
  });

  it('waits for a presence, and gives up with PeerOfflineError', async () => {
    const { sut } = setup();
    const waiting = sut.resolve('agent@x.example', 1_000);
    sut.onPresence(xml('presence', { from: 'agent@x.example/late' }));
    expect(await waiting).toBe('agent@x.example/late');
    await expect(sut.resolve('other@x.example', 10)).rejects.toThrow(PeerOfflineError);
  });

  it('approves subscriptions from allowed JIDs only, and ignores its own presence', () => {
    const { sut, sent } = setup(['platform@x.example']);
    sut.onPresence(xml('presence', { from: 'platform@x.example', type: 'subscribe' }));
    sut.onPresence(xml('presence', { from: 'mallory@x.example', type: 'subscribe' }));
    expect(sent.map((s) => s.toString())).toEqual([
      '<presence to="platform@x.example" type="subscribed"/>',
      '<presence to="mallory@x.example" type="unsubscribed"/>',
    ]);
    sut.onPresence(xml('presence', { from: 'bridge@x.example/other-replica' }));
    expect(sut.isOnline('bridge@x.example')).toBe(false);
  });

  it('fails requests waiting for a presence at once when the session goes', async () => {
    const { sut } = setup();
    const waiting = sut.resolve('agent@x.example', 600_000);
    const gone = new Error('the XMPP connection was lost');
    sut.offline(gone);
    await expect(waiting).rejects.toBe(gone);
    // A presence arriving later (a new session) resolves nobody left over from the old one.
    sut.onPresence(xml('presence', { from: 'agent@x.example/a' }));
    expect(await sut.resolve('agent@x.example', 0)).toBe('agent@x.example/a');
  });

  it('reports every peer resource that goes unavailable (a bare one for all of them), never its own', () => {
    const { sut, gone } = setup();
    sut.onPresence(xml('presence', { from: 'agent@x.example/a' }));
    sut.onPresence(xml('presence', { from: 'Agent@X.example/a', type: 'unavailable' }));
    sut.onPresence(xml('presence', { from: 'agent@x.example', type: 'unavailable' }));
    sut.onPresence(xml('presence', { from: 'bridge@x.example/other', type: 'unavailable' }));
    expect(gone).toEqual(['agent@x.example/a', 'agent@x.example']);
  });

  it('sends directed presence once per peer resource and session, so the peer hears when this session ends', () => {
    const { sut, sent } = setup();
    sut.announceTo('agent@x.example/a');
    sut.announceTo('agent@x.example/a');
    sut.announceTo('agent@x.example'); // a bare JID is the server's: nothing to announce to
    expect(sent.map((s) => s.toString())).toEqual(['<presence to="agent@x.example/a"/>']);
    sut.offline(new Error('session lost'));
    sut.announceTo('agent@x.example/a');
    expect(sent).toHaveLength(2);
  });
});
