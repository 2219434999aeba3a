import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as IORedis from '@opentelemetry/instrumentation-ioredis';
import type * as Pg from '@opentelemetry/instrumentation-pg';
import type * as Undici from '@opentelemetry/instrumentation-undici';
import { createRequire } from 'node:module';

/** The libraries whose classes the instrumentations patch, loaded through `require` (see below). */
const PATCHED_MODULES = ['pg', 'ioredis'] as const;

let done = false;

/**
 * Spans for PostgreSQL (`pg`, under Prisma's driver adapter too), Redis (`ioredis`) and outgoing HTTP
 * through Node's fetch (undici's diagnostics channels), each only inside a trace (no root spans for a
 * connection's housekeeping). The instrumentations patch the libraries' prototypes when the module is
 * `require`d; the services load them with `import`, which that hook does not see, and possibly before
 * tracing starts. Requiring them here (Node shares one CommonJS instance between both) patches the
 * classes the services use, whatever the load order, without a loader flag on the command line.
 */
export function instrumentLibraries(): void {
  if (done) return;
  done = true;
  const require = createRequire(import.meta.url);
  // Loaded here, not imported with this file: only a process that exports spans uses them.
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof Instrumentation;
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof Pg;
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof IORedis;
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof Undici;
  registerInstrumentations({
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      // The command alone: keys and arguments may name users or carry values worth keeping out.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (cmd) => cmd }),
      new UndiciInstrumentation({
        requireParentforSpans: true,
        startSpanHook: (request) => redactedUrl(request.origin, request.path),
      }),
    ],
  });
  for (const name of PATCHED_MODULES) {
    try {
      require(name);
    } catch {
      // Not installed where this runs (a trimmed image): nothing of it to trace.
    }
  }
}

/**
 * `url.full` and `url.query` without query values: a tool's API key often travels as one (e.g.
 * `?appid=…`), and a span must not carry a credential. Parameter names stay, values become `REDACTED`.
 */
export function redactedUrl(origin: string, path: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return {};
  }
  const names = [...url.searchParams.keys()];
  const query = names.length ? `?${names.map((n) => `${n}=REDACTED`).join('&')}` : '';
  return { 'url.full': `${url.origin}${url.pathname}${query}`, 'url.query': query };
}
