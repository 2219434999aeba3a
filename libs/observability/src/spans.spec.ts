import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { httpClientAttributes, initTracing } from './tracing.js';

describe('httpClientAttributes', () => {
  it('works nothing out while spans are not recorded', () => {
    expect(httpClientAttributes('GET', 'https://agent.example/a2a?token=secret', 'direct')).toEqual(
      {},
    );
  });

  describe('once spans are recorded', () => {
    beforeAll(() =>
      initTracing({
        service: 'test',
        instance: 'test-1',
        processors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })],
      }),
    );

    it('names the method, host, path and transport, never the query string', () => {
      const attributes = httpClientAttributes(
        'POST',
        'https://agent.example:8443/a2a/v1?token=secret',
        'xmpp',
      );
      expect(attributes).toEqual({
        'http.request.method': 'POST',
        'server.address': 'agent.example:8443',
        'url.path': '/a2a/v1',
        'switchboard.transport': 'xmpp',
      });
      expect(JSON.stringify(attributes)).not.toContain('secret');
    });

    it('names no host or path for a URL that does not parse', () => {
      expect(httpClientAttributes('GET', 'not a url', 'xmpp')).toEqual({
        'http.request.method': 'GET',
        'switchboard.transport': 'xmpp',
      });
    });
  });
});
