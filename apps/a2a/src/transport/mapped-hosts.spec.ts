import { parseServiceMap } from '@switchboard/config';
import { MappedHosts } from './mapped-hosts.js';

const hostsOf = (text: string) => {
  const parsed = parseServiceMap(text);
  return 'map' in parsed ? [...parsed.map.keys()] : parsed.problems;
};

describe("SERVICE_MAP hosts, as the a2a service reads them (the bridge's own reading)", () => {
  it('reads the host=jid and JSON forms', () => {
    expect(
      hostsOf(
        'researcher-agent.example.run.app=researcher@agents.example, Writer.Example:8080=writer@agents.example',
      ),
    ).toEqual(['researcher-agent.example.run.app', 'writer.example:8080']);
    expect(hostsOf('{"researcher.local":"researcher@agents.local"}')).toEqual(['researcher.local']);
  });

  it('refuses entries without a JID, with a bad JID, or a bad host, naming each', () => {
    expect(hostsOf('researcher.local')).toEqual(['entry "researcher.local" is not host=jid']);
    expect(hostsOf('{"researcher.local":"nobody"}')).toEqual([
      expect.stringMatching(/the JID of "researcher.local": .*no local part/),
    ]);
    expect(hostsOf('bad host=a@b')).toEqual([
      expect.stringMatching(/"bad host" is not a host name/),
    ]);
  });

  it('matches a URL by host, with or without its port', () => {
    const map = new MappedHosts(['researcher.local', 'writer.local:8080']);
    expect(map.isMapped('http://researcher.local/a2a')).toBe(true);
    expect(map.isMapped('http://RESEARCHER.local:9000/a2a')).toBe(true);
    expect(map.isMapped('http://writer.local:8080/')).toBe(true);
    expect(map.isMapped('http://writer.local:9090/')).toBe(false);
    expect(map.isMapped('http://127.0.0.1:4000/')).toBe(false);
  });
});
