import { redactedUrl } from './instrumentation.js';

describe(redactedUrl.name, () => {
  it('keeps the parameter names of a URL and none of their values (a key often travels in one)', () => {
    expect(
      redactedUrl('https://api.weather.example', '/data/2.5/weather?q=Paris&appid=s3cr3t'),
    ).toEqual({
      'url.full': 'https://api.weather.example/data/2.5/weather?q=REDACTED&appid=REDACTED',
      'url.query': '?q=REDACTED&appid=REDACTED',
    });
  });

  it('leaves a URL without a query as it is, and drops credentials of the authority', () => {
    expect(redactedUrl('https://user:pw@llm.example', '/v1/chat/completions')).toEqual({
      'url.full': 'https://llm.example/v1/chat/completions',
      'url.query': '',
    });
  });
});
