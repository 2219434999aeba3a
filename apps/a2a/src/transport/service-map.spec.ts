import { parseServiceMapHosts, ServiceMap } from './service-map.js';

describe('SERVICE_MAP hosts', () => {
  it('reads the host=jid and JSON forms', () => {
    expect(
      parseServiceMapHosts(
        'researcher-agent.example.run.app=researcher@agents.example, Writer.Example:8080=writer@agents.example',
      ),
    ).toEqual(['researcher-agent.example.run.app', 'writer.example:8080']);
    expect(parseServiceMapHosts('{"researcher.local":"researcher@agents.local"}')).toEqual([
      'researcher.local',
    ]);
  });

  it('refuses entries without a JID', () => {
    expect(() => parseServiceMapHosts('researcher.local')).toThrow(/host=user@domain/);
    expect(() => parseServiceMapHosts('{"researcher.local":"nobody"}')).toThrow(/user@domain/);
    expect(() => parseServiceMapHosts('bad host=a@b')).toThrow(/not a host name/);
  });

  it('matches a URL by host, with or without its port', () => {
    const map = new ServiceMap(['researcher.local', 'writer.local:8080']);
    expect(map.isMapped('http://researcher.local/a2a')).toBe(true);
    expect(map.isMapped('http://RESEARCHER.local:9000/a2a')).toBe(true);
    expect(map.isMapped('http://writer.local:8080/')).toBe(true);
    expect(map.isMapped('http://writer.local:9090/')).toBe(false);
    expect(map.isMapped('http://127.0.0.1:4000/')).toBe(false);
  });
});
