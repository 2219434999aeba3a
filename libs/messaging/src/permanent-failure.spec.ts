import { DomainError } from '@switchboard/contracts';
import { z } from 'zod';
import { permanentFailure } from './permanent-failure.js';

/** The shape Prisma 7 with the pg driver adapter throws (checked against a real database). */
function prismaError(code: string, sqlState: string, message: string): Error {
  const adapterError = Object.assign(new Error(message), {
    cause: { originalCode: sqlState, originalMessage: message, kind: 'postgres', code: sqlState },
  });
  return Object.assign(new Error('\nInvalid `prisma.task.create()` invocation:\n\n' + message), {
    name: 'PrismaClientKnownRequestError',
    code,
    meta: { modelName: 'Task', driverAdapterError: adapterError },
  });
}

describe(permanentFailure.name, () => {
  it('treats rejections and validation failures as permanent', () => {
    const rejected = new DomainError('FORBIDDEN', 'no');
    expect(permanentFailure(rejected)).toBe(rejected);
    const zod = z.object({ a: z.string() }).safeParse({ a: 1 }).error;
    expect(permanentFailure(zod)).toMatchObject({ code: 'VALIDATION', message: /a: / });
  });

  it('retries what may work later', () => {
    expect(
      permanentFailure(new DomainError('UPSTREAM_UNAVAILABLE', 'down', { retryable: true })),
    ).toBeUndefined();
    expect(permanentFailure(new DomainError('INTERNAL', 'bug'))).toBeUndefined();
    expect(permanentFailure(new Error('boom'))).toBeUndefined();
    expect(
      permanentFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    // A unique violation is a race, not bad data.
    expect(permanentFailure(prismaError('P2002', '23505', 'duplicate key'))).toBeUndefined();
  });

  it.each([
    ['P2039', '22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['P2039', '22P05', 'unsupported Unicode escape sequence'],
    ['P2007', '22P02', 'invalid input syntax for type json'],
  ])('treats database data errors (%s / %s) as permanent, naming them', (code, sqlState, msg) => {
    const e = permanentFailure(prismaError(code, sqlState, msg));
    expect(e).toMatchObject({ code: 'VALIDATION', retryable: false });
    expect(e?.message).toContain(sqlState);
    expect(e?.message).toContain(msg);
  });

  it('recognises a plain pg error too', () => {
    const pg = Object.assign(new Error('value too long for type character varying(10)'), {
      code: '22001',
      severity: 'ERROR',
    });
    expect(permanentFailure(pg)?.message).toMatch(/22001: value too long/);
  });
});
