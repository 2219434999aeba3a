import type { z } from 'zod';

/** The services of the platform; every contract names who produces and who consumes it. */
export const SERVICE_NAMES = [
  'gateway',
  'orchestrator',
  'mcp-tools',
  'a2a',
  'audit',
  'xmpp-bridge',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Root token of every subject. Kept here so `tools/docs` and the operator tail agree with services. */
export const SUBJECT_ROOT = 'sb';

/** Delivery guarantee, as documented in docs/subjects.md. */
export type Delivery =
  | 'request-reply' // core NATS, one answer, caller times out
  | 'at-most-once' // core NATS publish, fire and forget
  | 'at-least-once'; // JetStream, acked by the consumer; consumers must be idempotent

/** A JetStream stream the platform owns. Names follow ADR-6: `[A-Za-z0-9_-]`. */
export interface StreamContract {
  readonly kind: 'stream';
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: 'limits' | 'workqueue';
  readonly maxAgeMs: number;
  /** De-duplication window for `Nats-Msg-Id`. */
  readonly duplicateWindowMs: number;
  readonly description: string;
}

/** Request/reply over core NATS, served by a queue group of `service`. */
export interface CommandContract<
  S extends string = string,
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly kind: 'command';
  readonly subject: S;
  readonly service: ServiceName;
  /** The services that send it; empty when only operators and tests do. */
  readonly callers: readonly ServiceName[];
  readonly request: Req;
  readonly response: Res;
  /**
   * `stream`: several replies (parts with `kind` and `seq`) on the request's inbox, read with
   * `NatsBus.requestStream`. One reply when absent.
   */
  readonly reply?: 'stream';
  /** Default time the caller waits before failing with TIMEOUT (for a stream: for its first part). */
  readonly timeoutMs: number;
  readonly description: string;
}

/**
 * A message published (not requested). `pattern` is what a subscriber listens to (with wildcards,
 * written with `{token}` placeholders in docs); `subject(...)` builds the concrete subject.
 */
export interface EventContract<
  P extends z.ZodType = z.ZodType,
  A extends readonly string[] = readonly string[],
> {
  readonly kind: 'event';
  readonly template: string;
  /** Placeholder names of `template`, in order. */
  readonly tokens: A;
  readonly pattern: string;
  readonly subject: (...tokens: TokenValues<A>) => string;
  readonly payload: P;
  readonly delivery: Delivery;
  readonly stream?: StreamContract;
  readonly producers: readonly ServiceName[];
  readonly consumers: readonly ServiceName[];
  readonly description: string;
}

/** One string per placeholder name. */
export type TokenValues<A extends readonly string[]> = { [K in keyof A]: string };

export type AnyContract = CommandContract | EventContract | StreamContract;

export function defineStream(def: Omit<StreamContract, 'kind'>): StreamContract {
  return Object.freeze({ kind: 'stream', ...def });
}

export function defineCommand<S extends string, Req extends z.ZodType, Res extends z.ZodType>(
  def: Omit<CommandContract<S, Req, Res>, 'kind'>,
): CommandContract<S, Req, Res> {
  assertSubject(def.subject);
  return Object.freeze({ kind: 'command', ...def });
}

/** Subject token validity (NATS docs, ADR-6): no empty tokens, whitespace or wildcards in a token. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

export function isSafeToken(token: string): boolean {
  return TOKEN.test(token);
}

export function assertSubject(subject: string): void {
  if (!subject.split('.').every((t) => TOKEN.test(t))) {
    throw new Error(`invalid subject "${subject}"`);
  }
}

/**
 * Defines an event whose subject is `template` with placeholders filled in order: `{name}` takes one
 * token, `{name...}` (last only) takes one or more dotted tokens. Subscribers use `pattern`.
 */
export function defineEvent<P extends z.ZodType, const A extends readonly string[] = []>(
  def: Omit<EventContract<P, A>, 'kind' | 'subject' | 'pattern'>,
): EventContract<P, A> {
  // Split on the dots between tokens, not those inside a `{name...}` placeholder.
  const parts = def.template.match(/\{[^}]*\}|[^.]+/g) ?? [];
  const slots = parts
    .map((part, index) => ({ part, index }))
    .filter(({ part }) => part.startsWith('{'));
  slots.forEach(({ part, index }) => {
    if (part.endsWith('...}') && index !== parts.length - 1) {
      throw new Error(`${def.template}: only the last placeholder may take several tokens`);
    }
  });
  const pattern = parts
    .map((part) => (part.startsWith('{') ? (part.endsWith('...}') ? '>' : '*') : part))
    .join('.');
  const subject = (...tokens: TokenValues<A>): string => {
    if (tokens.length !== slots.length) {
      throw new Error(`${def.template} needs ${slots.length} tokens, got ${tokens.length}`);
    }
    const filled = [...parts];
    slots.forEach(({ part, index }, i) => {
      const value = tokens[i] as string;
      if (!part.endsWith('...}') && value.includes('.')) {
        throw new Error(`${def.template}: "${value}" must be a single token`);
      }
      filled[index] = value;
    });
    const s = filled.join('.');
    assertSubject(s);
    return s;
  };
  const names = slots.map(({ part }) => part.replace(/[{}.]/g, ''));
  if (names.join(',') !== def.tokens.join(',')) {
    throw new Error(`${def.template}: tokens must be [${names.join(', ')}]`);
  }
  return Object.freeze({ kind: 'event', ...def, pattern, subject });
}

export type RequestOf<C> =
  C extends CommandContract<string, infer Req, z.ZodType> ? z.infer<Req> : never;
export type ResponseOf<C> =
  C extends CommandContract<string, z.ZodType, infer Res> ? z.infer<Res> : never;
export type PayloadOf<C> = C extends EventContract<infer P, readonly string[]> ? z.infer<P> : never;
