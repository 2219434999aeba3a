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
    expect(
      parseAgentsConfig(
        '[{"name":"researcher","url":"http://researcher.agents.example/"},{"name":"writer","url":"https://writer.example:8443/base"}]',
      ),
    ).toEqual(expected);
    expect(parseAgentsConfig('  ')).toEqual([]);
    expect(parseAgentsConfig('[]')).toEqual([]);
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
    expect(() => parseAgentsConfig('["https://researcher.example"]')).toThrow(
      /entry 1 of the list \("https:\/\/researcher.example"\) needs a name/,
    );
    expect(() => parseAgentsConfig('[{"name":"r","url":"http://a.example","x":1}]')).toThrow(
      /entry 1 of the list has unknown fields: x/,
    );
    expect(() => parseAgentsConfig('[{"url":"http://a.example"}]')).toThrow(/needs a "name"/);
    expect(() =>
      parseAgentsConfig(
        '[{"name":"r","url":"http://a.example"},{"name":"r","url":"http://b.example"}]',
      ),
    ).toThrow(/listed twice/);
    expect(() => parseAgentsConfig('[1')).toThrow(/not valid JSON/);
  });
});
