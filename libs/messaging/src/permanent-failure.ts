import { DomainError, isDomainError, validationError } from '@switchboard/contracts';
import { ZodError } from 'zod';

// PostgreSQL SQLSTATEs caused by the data alone: the same message fails the same way every time.
// Class 22 = data exception (22021 invalid byte sequence, 22P05 untranslatable character, 22P02 invalid
// input syntax, 22001 value too long…); 23502 not-null and 23514 check violations.
const PERMANENT_SQLSTATE = /^(?:22[0-9A-Z]{3}|23502|23514)$/;
// Prisma's codes for the same failures: value too long, invalid value, null constraint, out of range,
// inconsistent column data. (Races such as unique violations are not among them.)
const PERMANENT_PRISMA = new Set(['P2000', 'P2007', 'P2011', 'P2020', 'P2023']);

/**
 * The error as a non-retryable DomainError when handling the message can never succeed — a rejection
 * (a non-retryable DomainError other than INTERNAL), a validation failure, or a database refusing the
 * data — else undefined (worth redelivering: timeouts, outages, bugs that may be transient).
 */
export function permanentFailure(e: unknown): DomainError | undefined {
  if (isDomainError(e)) return !e.retryable && e.code !== 'INTERNAL' ? e : undefined;
  if (e instanceof ZodError) return validationError('data', e);
  const db = databaseCause(e);
  if (db && (PERMANENT_SQLSTATE.test(db.sqlState ?? '') || PERMANENT_PRISMA.has(db.code ?? ''))) {
    const code = db.sqlState ?? db.code;
    return new DomainError('VALIDATION', `the database refused the data (${code}: ${db.message})`, {
      details: {
        ...(db.sqlState ? { sqlState: db.sqlState } : {}),
        ...(db.code ? { prismaCode: db.code } : {}),
      },
    });
  }
  return undefined;
}

/** The SQLSTATE of a database error (a `pg` error, or Prisma's over a driver adapter), if any. */
export function sqlStateOf(e: unknown): string | undefined {
  return databaseCause(e)?.sqlState;
}

interface DatabaseCause {
  sqlState?: string;
  code?: string;
  message: string;
}

/**
 * The SQLSTATE (and Prisma code) of a database error, found without importing a driver: a `pg` error
 * carries `code`; Prisma with a driver adapter carries `meta.driverAdapterError.cause.originalCode`.
 */
function databaseCause(e: unknown, depth = 0): DatabaseCause | undefined {
  if (!e || typeof e !== 'object' || depth > 4) return undefined;
  const err = e as {
    code?: unknown;
    message?: unknown;
    originalCode?: unknown;
    originalMessage?: unknown;
    meta?: { driverAdapterError?: unknown };
    cause?: unknown;
  };
  const prisma = typeof err.code === 'string' && /^P\d{4}$/.test(err.code) ? err.code : undefined;
  const own = [err.originalCode, err.code].find(
    (c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c) && !/^P\d{4}$/.test(c),
  );
  if (own) {
    const message = typeof err.originalMessage === 'string' ? err.originalMessage : err.message;
    return { sqlState: own, message: typeof message === 'string' ? message : 'database error' };
  }
  const inner =
    databaseCause(err.meta?.driverAdapterError, depth + 1) ?? databaseCause(err.cause, depth + 1);
  if (prisma) {
    return {
      ...(inner?.sqlState ? { sqlState: inner.sqlState } : {}),
      code: prisma,
      message: inner?.message ?? firstLine(err.message),
    };
  }
  return inner;
}

function firstLine(message: unknown): string {
  const lines = typeof message === 'string' ? message.trim().split('\n') : [];
  return lines[lines.length - 1]?.trim() || 'database error';
}
