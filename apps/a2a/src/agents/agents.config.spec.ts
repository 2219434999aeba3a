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

  it('keeps an approval policy of the JSON list form, with the policy defaults filled in', () => {
    const [billing, plain] = parseAgentsConfig(
      JSON.stringify([
        {
          name: 'billing',
          url: 'http://billing.example/',
          approval: { approvers: { requester: false, roles: ['finance'] }, allowSelf: false },
        },
        { name: 'researcher', url: 'http://researcher.example' },
      ]),
    );
    expect(billing).toEqual({
      name: 'billing',
      baseUrl: 'http://billing.example',
      approval: {
        approvers: { requester: false, roles: ['finance'], users: [] },
        allowSelf: false,
        expiresInMs: 86_400_000,
        onExpiry: 'reject',
      },
    });
    expect(plain).toEqual({ name: 'researcher', baseUrl: 'http://researcher.example' });
    expect(parseAgentsConfig('[{"name":"a","url":"http://a.example","approval":{}}]')[0]).toEqual(
      expect.objectContaining({ approval: expect.objectContaining({ allowSelf: true }) }),
    );
  });

  it('names the entry and the field of an invalid approval policy', () => {
    const entry = (approval: unknown) =>
      JSON.stringify([
        { name: 'ok', url: 'http://ok.example' },
        { name: 'billing', url: 'http://billing.example', approval },
      ]);
    expect(() => parseAgentsConfig(entry({ expiresInMs: 5 }))).toThrow(
      'entry 2 of the list (agent "billing"): approval.expiresInMs must be at least 1000 ms',
    );
    expect(() => parseAgentsConfig(entry({ allowSelf: false }))).toThrow(
      /entry 2 of the list \(agent "billing"\): approval.allowSelf must be true when approvers.requester is true/,
    );
    expect(() => parseAgentsConfig(entry({ approvers: { requester: false } }))).toThrow(
      /approval.approvers must name someone/,
    );
    expect(() => parseAgentsConfig(entry({ onExpiry: 'later' }))).toThrow(/approval.onExpiry/);
    expect(() => parseAgentsConfig(entry({ who: 'me' }))).toThrow(/approval .*who/);
  });
});
