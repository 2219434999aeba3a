import { createLogger } from './logger.js';
import { requestContext } from './request-context.js';
import { contextWithSpan, startSpan, withTraceContext } from './spans.js';
import { initTracing } from './tracing.js';

beforeAll(() => initTracing({ service: 'test', spans: true }));

describe(createLogger.name, () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'gateway',
    instance: 'gw-1',
    level: 'info',
    pretty: false,
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  beforeEach(() => (lines.length = 0));

  it('puts the trace and span ids of the work in hand on every line, with the correlation id', () => {
    const span = startSpan('GET /tasks/:id', {});
    withTraceContext(contextWithSpan(span), () =>
      requestContext.run({ correlationId: 'req-1', taskId: 't-1' }, () =>
        logger.info({ token: 'abc' }, 'inside'),
      ),
    );
    withTraceContext(contextWithSpan(span), () => logger.info('no request context'));
    logger.info('outside');
    const { traceId, spanId } = span.spanContext();
    expect(lines.map((l) => [l['msg'], l['traceId'], l['spanId'], l['correlationId']])).toEqual([
      ['inside', traceId, spanId, 'req-1'],
      ['no request context', traceId, spanId, undefined],
      ['outside', undefined, undefined, undefined],
    ]);
    expect(lines[0]).toMatchObject({ service: 'gateway', instance: 'gw-1', taskId: 't-1' });
    expect(lines[0]?.['token']).toBe('[redacted]');
  });
});
