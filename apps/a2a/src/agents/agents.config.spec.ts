import { parseAgentsConfig } from './agents.config.js';

describe(parseAgentsConfig.name, () => {
  it('reads name=url lists and JSON objects, trimming trailing slashes', () => {
    const expected = [
      { name: 'researcher', baseUrl: 'http://researcher.agents.example' },
      { name: 'writer', baseUrl: 'https://writer.example:8443/base' },
    ];
    expect(
      parseAgentsConfig(
        'researcher=http://researcher.agents.example/, writer=https://writer.example:8443/base/',
      ),
    ).toEqual(expected);
    expect(
      parseAgentsConfig(
        '{"researcher":"http://researcher.agents.example","writer":"https://writer.example:8443/base"}',
      ),
    ).toEqual(expected);
    expect(parseAgentsConfig('  ')).toEqual([]);
  });

  it('names what is wrong', () => {
    expect(() => parseAgentsConfig('http://x.example')).toThrow(/must be name=url/);
    expect(() => parseAgentsConfig('Researcher=http://x.example')).toThrow(
      /agent name "Researcher"/,
    );
    expect(() => parseAgentsConfig('r=ftp://x.example')).toThrow(/must be http\(s\)/);
    expect(() => parseAgentsConfig('r=not a url')).toThrow(/not an absolute URL/);
    expect(() => parseAgentsConfig('r=http://a.example,r=http://b.example')).toThrow(
      /listed twice/,
    );
    expect(() => parseAgentsConfig('{"r": 1}')).toThrow(/must be a string/);
  });
});
