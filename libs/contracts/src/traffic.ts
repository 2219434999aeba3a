import { CATALOGUE } from './catalogue.js';
import {
  type CommandContract,
  type EventContract,
  NO_TOKEN,
  SERVICE_NAMES,
  SUBJECT_ROOT,
  type ServiceName,
  subjectMatches,
} from './define.js';

/** Every subject of the platform (what `npm run tail` watches). */
export const PLATFORM_TRAFFIC_PATTERN = `${SUBJECT_ROOT}.>`;

/** What services publish: task submissions and events, domain events, control, audit, dead letters. */
export const PUBLISHED_TRAFFIC_PATTERNS: readonly string[] = [
  'task',
  'evt',
  'ctl',
  'audit',
  'dlq',
].map((kind) => `${SUBJECT_ROOT}.${kind}.>`);

/**
 * Request/reply subjects (commands, health). A subscriber to them that never answers still counts as
 * a responder: while it listens, a request to a service with no replica waits for its timeout instead
 * of failing at once with "no responders". Watch them only on purpose.
 */
export const REQUEST_TRAFFIC_PATTERNS: readonly string[] = ['cmd', 'health'].map(
  (kind) => `${SUBJECT_ROOT}.${kind}.>`,
);

/**
 * Copies of the requests and replies that services of one process (a cell) exchanged in-process,
 * batched: `sb.tap.<service>`, published by the calling service for the traffic's watchers (`switchboard
 * tail`, the console's Live view), who unpack each copy to its own subject. Nobody acts on them.
 */
export const TAP_TRAFFIC_PATTERN = `${SUBJECT_ROOT}.tap.>`;

/**
 * Where the traffic's watchers say that they watch (`sb.ctl.tap.watching`, an empty body): a service
 * copies its in-process traffic only while someone does, so a cell nobody watches sends no copy. A
 * watcher says so when it starts watching the copies and every TAP_WATCH_EVERY_MS while it does; a
 * service copies for TAP_WATCH_HOLD_MS after the last time it heard one (a watcher gone quietly costs
 * at most that long of copies).
 */
export const TAP_WATCH_SUBJECT = `${SUBJECT_ROOT}.ctl.tap.watching`;
export const TAP_WATCH_EVERY_MS = 10_000;
export const TAP_WATCH_HOLD_MS = 30_000;

/** The subject a service publishes its in-process traffic's copies on. */
export function tapSubject(service: string): string {
  return `${SUBJECT_ROOT}.tap.${service}`;
}

/** What kind of message a subject carries, from the subject grammar (docs/architecture.md). */
export type TrafficKind =
  | 'command'
  | 'task-submission'
  | 'task-event'
  | 'event'
  | 'control'
  | 'audit'
  | 'health'
  | 'dead-letter'
  | 'other';

const KIND_OF_TOKEN: Record<string, TrafficKind> = {
  cmd: 'command',
  task: 'task-submission',
  evt: 'event',
  ctl: 'control',
  audit: 'audit',
  health: 'health',
  dlq: 'dead-letter',
};

/**
 * The command a concrete subject belongs to (`sb.cmd.tools.call.<taskId>` → ToolsCall): the one whose
 * subject it is, or whose pattern takes it.
 */
export function commandOfSubject(subject: string): CommandContract | undefined {
  return (
    CATALOGUE.commands.find((c) => c.subject === subject) ??
    CATALOGUE.commands.find((c) => c.pattern !== c.subject && subjectMatches(c.pattern, subject))
  );
}

/** The event contract a concrete subject belongs to (`sb.evt.task.<id>.<event>` → TaskEventPublished). */
export function eventOfSubject(subject: string): EventContract | undefined {
  return CATALOGUE.events.find((e) => subjectMatches(e.pattern, subject));
}

/** The task id a subject names in its placeholder (a tool call's, an audit record's), if any. */
function taskTokenOf(subject: string, command: CommandContract | undefined): string | undefined {
  const tokens = subject.split('.');
  // an audit record's task is its fourth token (`sb.audit.<category>.<taskId>[.<tenantId>]`), a
  // chained one's its fifth (`sb.evt.audit.<category>.<taskId>.<tenantId>`)
  const token =
    tokens[1] === 'audit' && (tokens.length === 4 || tokens.length === 5)
      ? tokens[3]
      : isChainedAudit(tokens)
        ? tokens[4]
        : command?.token === 'taskId' && command.subject !== subject
          ? tokens.at(-1)
          : undefined;
  return token && token !== NO_TOKEN ? token : undefined;
}

export interface SubjectInfo {
  kind: TrafficKind;
  /** The service a command or health request is addressed to. */
  service?: ServiceName;
  /**
   * The task the subject names: a task event's, a tool call's (`sb.cmd.tools.call.<taskId>`), an audit
   * record's (`sb.audit.<category>.<taskId>.<tenantId>`); absent for `_` (no task).
   */
  taskId?: string;
}

/** `sb.evt.audit.<category>.<taskId>.<tenantId>`: a relayed record, published once chained. */
const isChainedAudit = (tokens: readonly string[]): boolean =>
  tokens[1] === 'evt' && tokens[2] === 'audit' && tokens.length === 6;

/** Classifies one platform subject for operators' views. */
export function describeSubject(subject: string): SubjectInfo {
  const tokens = subject.split('.');
  if (tokens[0] !== SUBJECT_ROOT) return { kind: 'other' };
  const second = tokens[1] ?? '';
  if (second === 'evt' && tokens[2] === 'task' && tokens[3]) {
    return { kind: 'task-event', taskId: tokens[3] };
  }
  const kind = isChainedAudit(tokens) ? 'audit' : (KIND_OF_TOKEN[second] ?? 'other');
  if (kind === 'health') {
    const service = SERVICE_NAMES.find((s) => s === tokens[2]);
    return service ? { kind, service } : { kind };
  }
  const command = kind === 'command' ? commandOfSubject(subject) : undefined;
  const taskId = kind === 'command' || kind === 'audit' ? taskTokenOf(subject, command) : undefined;
  return {
    kind,
    ...(command ? { service: command.service } : {}),
    ...(taskId ? { taskId } : {}),
  };
}

/**
 * Who recorded an audit record (its payload's `source`), for operators' views: a relayed record is
 * announced (`sb.evt.audit.…`) by the audit service, whose `x-sb-source` header would hide the service
 * that did what the record says. Undefined for any other kind of message, or a record without one.
 */
export function auditRecorderOf(kind: TrafficKind, data: unknown): string | undefined {
  if (kind !== 'audit' || !data || typeof data !== 'object') return undefined;
  const source = (data as { source?: unknown }).source;
  return typeof source === 'string' && source ? source : undefined;
}
