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
  /**
   * What a full stream does with a new message (applied when it is created): `old` drops the oldest
   * messages (history already consumed), `new` refuses the publish (nothing queued is ever lost).
   */
  readonly discard: 'old' | 'new';
  /** Messages kept per subject (applied when the stream is created); unlimited when absent. */
  readonly maxMsgsPerSubject?: number;
  /** Its size limit when JETSTREAM_MAX_BYTES does not set one (default DEFAULT_STREAM_MAX_BYTES). */
  readonly maxBytes?: number;
  /**
   * What one task stores in it, with headroom: a stream that keeps task history is sized from
   * JETSTREAM_TASKS_PER_DAY × the days it keeps messages × this (docs/operations.md).
   */
  readonly bytesPerTask?: number;
  /** De-duplication window for `Nats-Msg-Id`. */
  readonly duplicateWindowMs: number;
  readonly description: string;
}

/**
 * The token a subject placeholder takes when there is no value for it — a tool call or an audit record
 * of no task goes on `sb.cmd.tools.call._` / `sb.audit.<category>._` — so that every subject of a
 * kind has the same number of tokens and `*` matches them all.
 */
export const NO_TOKEN = '_';

/**
 * Who may send a command: the services that do, and `admin` — the NATS identity of the platform's
 * administrators, which may send the commands that name it (the operator commands: health, the
 * bridge's status, the audit trail's verification and queries) and read what the operator reads.
 */
export type CommandCaller = ServiceName | 'admin';

/**
 * Request/reply over core NATS, served by a queue group of `service`. Its subject may end with one
 * placeholder filled from each request (`sb.cmd.tools.call.{taskId}`), so that plain NATS tools can
 * follow one task's requests by subject: `subject` is then the template (what docs, metrics and spans
 * name), `pattern` what the service subscribes to, and `subjectOf(request)` where a request goes.
 */
export interface CommandContract<
  S extends string = string,
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  readonly kind: 'command';
  /** The subject, or with a placeholder its template (`sb.cmd.tools.call.{taskId}`). */
  readonly subject: S;
  /** The placeholder's name (`taskId`), when the subject has one. */
  readonly token?: string;
  /** What the service subscribes to: the subject, its placeholder a `*`. */
  readonly pattern: string;
  /**
   * The subject a request is sent on: the subject, its placeholder filled with `tokenOf(request)`, or
   * NO_TOKEN when that is absent. Throws when the value cannot be one subject token.
   */
  subjectOf(request: z.infer<Req>): string;
  /** The placeholder's value for a request (a contract with a placeholder defines it). */
  tokenOf?(request: z.infer<Req>): string | undefined;
  readonly service: ServiceName;
  /**
   * The services that send it, and `admin` for the operator commands; empty when only tests do. The
   * NATS permissions let exactly these identities publish it.
   */
  readonly callers: readonly CommandCaller[];
  readonly request: Req;
  readonly response: Res;
  /**
   * `stream`: several replies (parts with `kind` and `seq`) on the request's inbox, read with
   * `NatsBus.requestStream`. One reply when absent.
   */
  readonly reply?: 'stream';
  /**
   * `waiter`: served only by the replica holding what its placeholder names (a push-mode delegation
   * waiting for its agent's notification), on that one subject; nobody answers it otherwise. That
   * replica validates what it receives like any responder.
   */
  readonly responder?: 'waiter';
  /** Default time the caller waits before failing with TIMEOUT (for a stream: for its first part). */
  readonly timeoutMs: number;
  /**
   * What sending the request again does, read by NatsBus' retry policy. `idempotent`: nothing more
   * (reads, writes that set a value). `keyed`: nothing more when it carries the same `idempotencyKey`
   * (the responder answers a repeat with the first outcome). Absent: it may act again, so it is never
   * sent twice.
   */
  readonly idempotency?: Idempotency;
  /**
   * `heartbeat`: while it works on a request the responder sends a heartbeat every
   * COMMAND_HEARTBEAT_MS (or the interval the `x-sb-heartbeat-interval` header asks for) to the
   * subject the caller names in the `x-sb-heartbeat` header, so a caller notices within a few
   * intervals that the responder died mid-request (instead of at its timeout) and, when the request
   * is repeatable, sends it again. For commands whose work may take seconds.
   */
  readonly liveness?: 'heartbeat';
  readonly description: string;
}

export type Idempotency = 'idempotent' | 'keyed';

/**
 * Whether sending `request` on `contract` a second time is harmless: the contract is idempotent, or
 * keyed and the request carries a non-empty `idempotencyKey`.
 */
export function isRepeatable(
  contract: Pick<CommandContract, 'idempotency'>,
  request: unknown,
): boolean {
  if (contract.idempotency === 'idempotent') return true;
  if (contract.idempotency !== 'keyed' || typeof request !== 'object' || request === null)
    return false;
  const key = (request as { idempotencyKey?: unknown }).idempotencyKey;
  return typeof key === 'string' && key.length > 0;
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

/** What a domain folder defines, listed for the catalogue (docs, AsyncAPI, NATS permissions). */
export interface DomainContracts {
  commands: readonly CommandContract[];
  events: readonly EventContract[];
}

export function defineStream(def: Omit<StreamContract, 'kind'>): StreamContract {
  return Object.freeze({ kind: 'stream', ...def });
}

/** `{name}`: a subject placeholder taking one token. */
const PLACEHOLDER = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;

/** A subject's trailing placeholder (`sb.cmd.tools.call.{taskId}` → taskId) and what comes before it. */
function splitPlaceholder(subject: string): { fixed: string; token?: string } {
  const at = subject.lastIndexOf('.');
  const token = PLACEHOLDER.exec(subject.slice(at + 1))?.[1];
  return token ? { fixed: subject.slice(0, at), token } : { fixed: subject };
}

/**
 * The subject a request of `contract` goes on: its subject, the trailing placeholder filled with
 * `tokenOf(request)` (NO_TOKEN when absent). Throws when the value cannot be one subject token. Read
 * from the contract as given, so a copy with another subject (a test's) is sent where it says.
 */
export function requestSubject(
  contract: Pick<CommandContract, 'subject' | 'tokenOf'>,
  request: unknown,
): string {
  const { fixed, token } = splitPlaceholder(contract.subject);
  if (!token || !contract.tokenOf) return contract.subject;
  const value = contract.tokenOf(request) || NO_TOKEN;
  if (!TOKEN.test(value))
    throw new Error(`${contract.subject}: "${value}" cannot be a subject token`);
  return `${fixed}.${value}`;
}

/**
 * Who serves `sb.cmd.<token>.…`, by that token: a command's subject names its service, so a
 * definition states the service only when its subject does not (a test's, a health check's).
 */
const SERVICE_OF_SUBJECT: Readonly<Record<string, ServiceName>> = {
  gateway: 'gateway',
  orchestrator: 'orchestrator',
  tools: 'mcp-tools',
  'mcp-tools': 'mcp-tools',
  a2a: 'a2a',
  audit: 'audit',
  xmpp: 'xmpp-bridge',
  'xmpp-bridge': 'xmpp-bridge',
};

/** How long a caller waits for a command's answer unless its definition says otherwise. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

/** What a command's definition states: its service and timeout only where they are not the default. */
export type CommandDefinition<
  S extends string,
  Req extends z.ZodType,
  Res extends z.ZodType,
> = Omit<
  CommandContract<S, Req, Res>,
  'kind' | 'pattern' | 'subjectOf' | 'token' | 'service' | 'timeoutMs'
> &
  Partial<Pick<CommandContract<S, Req, Res>, 'service' | 'timeoutMs'>>;

function serviceOf(def: { subject: string; service?: ServiceName }): ServiceName {
  const [root, kind, token] = def.subject.split('.');
  const named =
    root === SUBJECT_ROOT && kind === 'cmd' ? SERVICE_OF_SUBJECT[token ?? ''] : undefined;
  const service = def.service ?? named;
  if (!service)
    throw new Error(`${def.subject}: its subject names no service; say which serves it`);
  return service;
}

/**
 * Defines a command. Its subject may end with one placeholder (`sb.cmd.tools.call.{taskId}`) whose
 * value `tokenOf` takes from the request; the handler then subscribes to the subject with a `*` there.
 * The service is the one its subject names (`sb.cmd.tools.…`: mcp-tools) unless `service` says; the
 * timeout DEFAULT_COMMAND_TIMEOUT_MS unless `timeoutMs` says.
 */
export function defineCommand<S extends string, Req extends z.ZodType, Res extends z.ZodType>(
  def: CommandDefinition<S, Req, Res>,
): CommandContract<S, Req, Res> {
  const { fixed, token } = splitPlaceholder(def.subject);
  assertSubject(fixed);
  if (!token && def.tokenOf)
    throw new Error(`${def.subject}: tokenOf needs a {placeholder} at its end`);
  if (token && !def.tokenOf)
    throw new Error(`${def.subject}: say where its placeholder comes from (tokenOf)`);
  const contract: CommandContract<S, Req, Res> = Object.freeze({
    kind: 'command' as const,
    ...def,
    service: serviceOf(def),
    timeoutMs: def.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    ...(token ? { token } : {}),
    pattern: token ? `${fixed}.*` : def.subject,
    subjectOf: (request: z.infer<Req>) => requestSubject(contract, request),
  });
  return contract;
}

/**
 * Defines a command that only reads (a get, a list, a search, a check): asking again changes nothing,
 * so it is `idempotent` and NatsBus may send it again.
 */
export function defineQuery<S extends string, Req extends z.ZodType, Res extends z.ZodType>(
  def: Omit<CommandDefinition<S, Req, Res>, 'idempotency'>,
): CommandContract<S, Req, Res> {
  return defineCommand({ ...def, idempotency: 'idempotent' });
}

/** Subject token validity (NATS docs, ADR-6): no empty tokens, whitespace or wildcards in a token. */
const TOKEN = /^[A-Za-z0-9_-]+$/;

export function isSafeToken(token: string): boolean {
  return TOKEN.test(token);
}

/** Whether `subject` is one that `pattern` (a subscription, `*` and `>` wildcards) receives. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
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
