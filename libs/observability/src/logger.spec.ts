import { createLogger, PinoNestLogger } from './logger.js';
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

describe(PinoNestLogger.name, () => {
  const lines: Record<string, unknown>[] = [];
  const nest = new PinoNestLogger(
    createLogger({
      service: 'gateway',
      instance: 'gw-1',
      level: 'trace',
      pretty: false,
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    }),
  );
  beforeEach(() => (lines.length = 0));

  it('writes each of Nest’s levels at its pino level (verbose as trace), with Nest’s context', () => {
    nest.log('l', 'Ctx');
    nest.error('e', 'stack', 'Ctx');
    nest.warn('w', 'Ctx');
    nest.debug('d', 'Ctx');
    nest.verbose('v', 'Ctx');
    nest.fatal('f', 'Ctx');
    expect(lines.map((l) => [l['level'], l['msg'], l['context']])).toEqual([
      ['info', 'l', 'Ctx'],
      ['error', 'e', 'Ctx'],
      ['warn', 'w', 'Ctx'],
      ['debug', 'd', 'Ctx'],
      ['trace', 'v', 'Ctx'],
      ['fatal', 'f', 'Ctx'],
    ]);
  });

  it('logs an Error as err with its message, an object as its fields, anything else as text', () => {
    nest.error(new Error('boom'));
    nest.log({ port: 3000 });
    nest.warn(42);
    expect(lines[0]).toMatchObject({ msg: 'boom', err: { message: 'boom' } });
    expect(lines[1]).toMatchObject({ port: 3000 });
    expect(lines[1]?.['msg']).toBeUndefined();
    expect(lines[2]).toMatchObject({ level: 'warn', msg: '42' });
  });
});
