import {
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  trace,
} from '@opentelemetry/api';
import { requestContext } from './request-context.js';
import {
  contextWithSpan,
  detached,
  endSpan,
  extractTraceContext,
  injectTraceContext,
  isTracingExported,
  type SpanAttributes,
  startSpan,
} from './spans.js';

/**
 * The W3C `traceparent` of the active context (or `ctx`), to store with work that is done later on
 * its behalf — a journaled record relayed after its commit, a webhook sent by a sweep — so that work
 * continues the trace it was owed in. Undefined outside a trace.
 */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  let found: string | undefined;
  injectTraceContext((k, v) => {
    if (k === 'traceparent') found = v;
  }, ctx);
  return found;
}

/** The context a stored `traceparent` names (the root context when it names none). */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent
    ? extractTraceContext((k) => (k === 'traceparent' ? traceparent : undefined))
    : ROOT_CONTEXT;
}

/** Work owed to one trace within a relayed batch: who it is for, and the trace it was owed in. */
export interface OwedTo {
  /** What the batch says the work is for (a task id). */
  key: string;
  /** Where it was owed (traceparentOf at the time); absent: no trace to continue. */
  traceparent?: string | undefined;
  attributes?: SpanAttributes;
}

/**
 * Runs `fn`, which does in one go work owed to several traces (a relayed batch holding several tasks'
 * audit records), so that each of those traces shows it. With one trace among `owed`, `fn` runs in a
 * span `name` that is a child of where the work was owed: the batch is simply part of that trace.
 * With several, each gets its own span `name` (a child of where its work was owed, linked to the
 * batch) and `fn` runs in a root span `<name> batch` linked to each of them. Per-trace child spans
 * rather than links alone: tracing backends draw a trace as its tree of spans and show a link only as
 * a reference to follow, so the task's own trace would not show the work at all. `fn` is handed each
 * key's context to pass on (as `traceparent`s: the receiver continues the right trace per key). The
 * spans end when `fn` settles. Outside any service that records spans, nothing is created: `fn` runs
 * in the one owed context, or detached when there are several.
 */
export async function withSpansOwedTo<T>(
  name: string,
  owed: readonly OwedTo[],
  fn: (traceparents: Record<string, string>) => Promise<T>,
): Promise<T> {
  const traced = owed.filter((o): o is OwedTo & { traceparent: string } => !!o.traceparent);
  const byKey = (pick: (o: OwedTo & { traceparent: string }) => string | undefined) =>
    Object.fromEntries(traced.flatMap((o) => (pick(o) ? [[o.key, pick(o) as string]] : [])));
  if (!isTracingExported()) {
    const passOn = byKey((o) => o.traceparent);
    const [only] = traced;
    return traced.length === 1 && only
      ? requestContext.exit(() =>
          context.with(contextOfTraceparent(only.traceparent), () => fn(passOn)),
        )
      : detached(() => fn(passOn));
  }
  if (traced.length <= 1) {
    const parent = contextOfTraceparent(traced[0]?.traceparent);
    const span = startSpan(name, traced[0]?.attributes ?? {}, { parent });
    const ctx = contextWithSpan(span, parent);
    const passOn = byKey(() => traceparentOf(ctx));
    return settle([span], () => requestContext.exit(() => context.with(ctx, () => fn(passOn))));
  }
  const batch = startSpan(
    `${name} batch`,
    { 'switchboard.relayed_for': traced.length },
    {
      parent: ROOT_CONTEXT,
      links: traced.map((o) => ({ context: spanContextOf(o.traceparent) })),
    },
  );
  const perTrace = new Map(
    traced.map((o) => [
      o.key,
      startSpan(name, o.attributes ?? {}, {
        parent: contextOfTraceparent(o.traceparent),
        links: [{ context: batch.spanContext() }],
      }),
    ]),
  );
  const passOn = Object.fromEntries(
    [...perTrace].flatMap(([key, span]) => {
      const tp = traceparentOf(contextWithSpan(span, ROOT_CONTEXT));
      return tp ? [[key, tp]] : [];
    }),
  );
  return settle([batch, ...perTrace.values()], () =>
    detached(() => context.with(contextWithSpan(batch, ROOT_CONTEXT), () => fn(passOn))),
  );
}

/**
 * Runs `fn`, which does in one go work received on behalf of several traces (`traceparents` by key,
 * as withSpansOwedTo passed them on), with a span `name` in each of those traces: a child of the
 * active span where the trace is the active one, else a child of the given context linked to the
 * active span. `fn` is handed each key's context, for what it does later on that key's behalf (an
 * announcement). Where this service records no spans, the contexts are the ones received.
 */
export async function withSpansReceivedFor<T>(
  name: string,
  traceparents: Readonly<Record<string, string>> | undefined,
  attributes: (key: string) => SpanAttributes,
  fn: (contextOf: (key: string | undefined) => Context | undefined) => Promise<T>,
): Promise<T> {
  const received = new Map(
    Object.entries(traceparents ?? {}).map(([key, tp]) => [key, contextOfTraceparent(tp)]),
  );
  if (!received.size || !isTracingExported())
    return fn((key) => (key === undefined ? undefined : received.get(key)));
  const active = trace.getSpan(context.active())?.spanContext();
  const spans = new Map(
    [...received].map(([key, parent]) => {
      const theirs = trace.getSpan(parent)?.spanContext();
      const same = !!active && !!theirs && theirs.traceId === active.traceId;
      const from = same || !theirs ? context.active() : parent;
      const links = same || !theirs || !active ? [] : [{ context: active }];
      const span = startSpan(name, attributes(key), { parent: from, links });
      return [key, { span, ctx: contextWithSpan(span, from) }] as const;
    }),
  );
  return settle(
    [...spans.values()].map((s) => s.span),
    () => fn((key) => (key === undefined ? undefined : spans.get(key)?.ctx)),
  );
}

async function settle<T>(spans: Span[], fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    for (const s of spans) endSpan(s);
    return result;
  } catch (e) {
    for (const s of spans) endSpan(s, e);
    throw e;
  }
}

function spanContextOf(traceparent: string) {
  return trace.getSpanContext(contextOfTraceparent(traceparent)) ?? INVALID_SPAN_CONTEXT;
}
