import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { httpClientAttributes, initTracing, SpanKind, withHttpClientSpan } from './tracing.js';

const exporter = new InMemorySpanExporter();

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
        processors: [new SimpleSpanProcessor({ exporter })],
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

    it('runs an exchange in a CLIENT span with its attributes and the status it was told', async () => {
      exporter.reset();
      const out = await withHttpClientSpan(
        'a2a http POST',
        { method: 'POST', url: 'https://agent.example/a2a?token=secret', transport: 'direct' },
        async (answered) => {
          answered(202);
          return 'body';
        },
        { 'switchboard.streamed': true },
      );
      expect(out).toBe('body');
      const [span] = exporter.getFinishedSpans();
      expect(span?.name).toBe('a2a http POST');
      expect(span?.kind).toBe(SpanKind.CLIENT);
      expect(span?.attributes).toEqual({
        'http.request.method': 'POST',
        'server.address': 'agent.example',
        'url.path': '/a2a',
        'switchboard.transport': 'direct',
        'switchboard.streamed': true,
        'http.response.status_code': 202,
      });
    });
  });
});
