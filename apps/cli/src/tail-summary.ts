// The one-line summary of a payload that `switchboard tail` prints after the time, task, kind and
// route: what happened, in the words of the contracts (a task event's name and its key fields, a
// command's name and its arguments, an audit record's action and outcome), shortened. Pure.
import {
  commandOfSubject,
  describeSubject,
  SUBJECT_ROOT,
  Tasks,
  type TrafficKind,
} from '@switchboard/contracts';

/** `head` names what happened (an event, a command, an action); `rest` its key fields. */
export interface Summary {
  head: string;
  rest: string;
  /** A failure, refusal or block: shown as such. */
  failed: boolean;
}

/** The most a value inside a summary takes, in characters (the line is cut again as a whole). */
const VALUE_MAX = 40;
/** The most a text (a task, an answer, a message to an agent) takes, quoted. */
const TEXT_MAX = 50;

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Ids cut to their first 8 characters, as the task column shows them: `b9a20cac…`. */
export function shortIds(text: string): string {
  return text.replace(UUID, '$1…');
}

/** A JSON value as JSON, its strings' ids shortened. */
const json = (value: unknown): string =>
  typeof value === 'string'
    ? JSON.stringify(shortIds(value))
    : (JSON.stringify(value) ?? String(value));

/**
 * A JSON value in few characters: strings quoted, objects as `key=value` pairs without their `taskId`
 * (the line's task column shows it).
 */
export function brief(value: unknown, max = VALUE_MAX): string {
  if (value === undefined) return '';
  if (isFields(value))
    return cut(
      Object.entries(value)
        .filter(([k]) => k !== 'taskId')
        .map(([k, v]) => `${k}=${json(v)}`)
        .join(' '),
      max,
    );
  return cut(json(value), max);
}

/**
 * A result in few characters: its `result` field when it has one (the calculator's `{expression,
 * result}` → `391`), the value of an object of one field (`{"id": 7}` → `7`), else the value shortened.
 */
export function result(value: unknown, max = VALUE_MAX): string {
  if (isFields(value)) {
    if ('result' in value) return brief(value['result'], max);
    const entries = Object.values(value);
    if (entries.length === 1) return brief(entries[0], max);
  }
  return brief(value, max);
}

/** `12.3 ms`, `1.25 s`. */
export function duration(ms: unknown): string {
  const n = num(ms);
  if (n === undefined) return '';
  return n < 1000 ? `${Number(n.toFixed(1))} ms` : `${Number((n / 1000).toFixed(2))} s`;
}

const timed = (ms: unknown) => (num(ms) === undefined ? '' : `(${duration(ms)})`);
const quoted = (text: unknown, max = TEXT_MAX) =>
  typeof text === 'string' ? JSON.stringify(cut(shortIds(text), max)) : '';
const error = (e: unknown) =>
  isFields(e) ? `${str(e['code'])}: ${cut(shortIds(str(e['message'])), VALUE_MAX * 2)}` : '';
const join = (...parts: string[]) => parts.filter(Boolean).join(' ');
const counted = (n: unknown, what: string) =>
  typeof n === 'number' ? `${n} ${what}${n === 1 ? '' : 's'}` : '';
const round = (n: unknown) => (typeof n === 'number' ? `round ${n}` : '');
/** `→ <result>` when there is one. */
const gave = (value: unknown) => (value === undefined ? '' : `→ ${result(value)}`);
const failedWith = (e: unknown) => join('✗', error(e));
/** What a task ended with, then its steps and duration: `"391", 2 steps (8 ms)`. */
const ended = (lead: string, d: Fields) =>
  [lead, join(counted(d['steps'], 'step'), timed(d['durationMs']))].filter(Boolean).join(', ');
const list = (items: unknown, key: string) =>
  Array.isArray(items)
    ? cut(items.map((i) => (isFields(i) ? str(i[key]) : '')).join(', '), VALUE_MAX)
    : '';

const E = Tasks.TaskEventName;

/** A planning round's decision: `final`, `fail`, or the actions it planned. */
function decision(d: Fields): string {
  if (d['decision'] === 'final' || d['decision'] === 'fail') return `→ ${d['decision']}`;
  if (!Array.isArray(d['plan'])) return '';
  return `→ ${counted(d['plan'].length, 'action')}: ${list(d['plan'], 'target')}`;
}

/** Each task event's key fields, from its `data`. */
const EVENT_FIELDS: Record<string, (d: Fields) => string> = {
  [E.TaskStarted]: (d) => join(str(d['planner']), str(d['model']), quoted(d['task'])),
  [E.PlanningStarted]: (d) => join(str(d['planner']), round(d['iteration'])),
  [E.PlanningCompleted]: (d) => join(round(d['iteration']), decision(d), timed(d['durationMs'])),
  [E.StepDispatching]: (d) => join(str(d['target']), brief(d['input'])),
  [E.StepCompleted]: (d) => join(str(d['target']), gave(d['output']), timed(d['durationMs'])),
  [E.StepFailed]: (d) => join(str(d['target']), failedWith(d['error'])),
  [E.TaskCompleted]: (d) => ended(quoted(d['result']), d),
  [E.TaskFailed]: (d) => ended(error(d['error']), d),
  [E.TaskCancelled]: (d) => ended(quoted(d['reason']), d),
  [E.ToolboxGenerated]: (d) => {
    const names = list(d['tools'], 'name');
    const count = counted(d['count'], 'tool');
    return join(
      names && count ? `${count}:` : count,
      names,
      d['cached'] === true ? '(cached)' : '',
    );
  },
  [E.McpTaskStarted]: (d) => join(str(d['tool']), brief(d['input'])),
  [E.McpTaskCompleted]: (d) => join(str(d['tool']), gave(d['output']), timed(d['durationMs'])),
  [E.McpTaskFailed]: (d) => join(str(d['tool']), failedWith(d['error'])),
  [E.DelegationStarted]: (d) =>
    join(
      str(d['agent']),
      d['transport'] ? `over ${str(d['transport'])}` : '',
      quoted(d['message']),
    ),
  [E.DelegationStatus]: (d) => join(str(d['agent']), str(d['state']), quoted(d['text'])),
  [E.DelegationResult]: (d) =>
    join(str(d['agent']), str(d['state']), quoted(d['text']), timed(d['durationMs'])),
  [E.GuardrailViolation]: (d) => join(str(d['stage']), str(d['rule']), str(d['stepId'])),
  [E.ApprovalRequested]: (d) =>
    join(`approval ${str(d['approvalId']).slice(0, 8)}:`, str(d['target']), brief(d['input'])),
  [E.ApprovalDecided]: (d) =>
    join(
      str(d['target']),
      str(d['status']),
      d['decidedBy'] ? `by ${str(d['decidedBy'])}` : '',
      d['edited'] === true ? '(edited)' : '',
      quoted(d['comment']),
    ),
};

const FAILED_EVENTS: readonly string[] = [
  E.StepFailed,
  E.TaskFailed,
  E.McpTaskFailed,
  E.GuardrailViolation,
];

function taskEvent(data: unknown): Summary {
  const event = isFields(data) ? data : {};
  const name = str(event['name']);
  const fields = EVENT_FIELDS[name];
  const rest = fields && isFields(event['data']) ? fields(event['data']) : brief(event['data']);
  return { head: name || 'task event', rest, failed: FAILED_EVENTS.includes(name) };
}

/** A command's name: its subject without `sb.cmd.` and without its placeholder (`tools.call`). */
function commandName(subject: string): string {
  const contract = commandOfSubject(subject);
  const template = contract?.token
    ? contract.subject.slice(0, contract.subject.lastIndexOf('.'))
    : (contract?.subject ?? subject);
  return template.replace(`${SUBJECT_ROOT}.cmd.`, '');
}

function command(subject: string, data: unknown): Summary {
  const name = commandName(subject);
  const d = isFields(data) ? data : {};
  if (name === 'tools.call')
    return { head: name, rest: join(str(d['tool']), brief(d['input'])), failed: false };
  if (name === 'a2a.delegate')
    return { head: name, rest: join(str(d['agent']), quoted(d['message'])), failed: false };
  return { head: name, rest: brief(data), failed: false };
}

/** A reply: an error (`✗ CODE: message`), a tool's result, or the reply shortened. */
export function reply(data: unknown): Summary {
  const d = isFields(data) ? data : {};
  if (typeof d['code'] === 'string' && typeof d['message'] === 'string')
    return {
      head: `✗ ${d['code']}`,
      rest: cut(shortIds(d['message']), VALUE_MAX * 2),
      failed: true,
    };
  if (typeof d['tool'] === 'string' && 'output' in d)
    return {
      head: d['tool'],
      rest: join(
        gave(d['output']),
        timed(d['durationMs']),
        d['replayed'] === true ? '(replayed)' : '',
      ),
      failed: false,
    };
  return { head: '', rest: brief(data, VALUE_MAX * 2), failed: false };
}

/**
 * The subject without its root, its kind's token (the kind column says it) and the tokens that are ids:
 * `sb.ctl.task.<taskId>.cancel` → `task.cancel`, `sb.evt.a2a.delegation.<id>` → `a2a.delegation`.
 */
function subjectName(subject: string, kind: TrafficKind): string {
  return subject
    .split('.')
    .slice(kind === 'other' ? 1 : 2)
    .filter((t) => !/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(t))
    .join('.');
}

const BY_KIND: Partial<Record<TrafficKind, (subject: string, data: unknown) => Summary>> = {
  'task-event': (_s, data) => taskEvent(data),
  command,
  'task-submission': (_s, data) => {
    const d = isFields(data) ? data : {};
    const request = isFields(d['request']) ? d['request'] : {};
    const actor = isFields(d['actor']) ? d['actor'] : {};
    return {
      head: 'task.submit',
      rest: join(quoted(request['task']), actor['userId'] ? `by ${str(actor['userId'])}` : ''),
      failed: false,
    };
  },
  audit: (_s, data) => {
    const d = isFields(data) ? data : {};
    const outcome = str(d['outcome']);
    return {
      head: str(d['action']) || 'audit',
      // its task is in the task column already
      rest: join(outcome, d['resource'] === d['taskId'] ? '' : str(d['resource'])),
      failed: outcome !== '' && outcome !== 'success',
    };
  },
  'dead-letter': (_s, data) => {
    const d = isFields(data) ? data : {};
    return {
      head: 'dead letter',
      rest: `${str(d['subject'])} from ${str(d['stream'])}/${str(d['consumer'])}: ${cut(str(d['reason']), VALUE_MAX)}`,
      failed: true,
    };
  },
  health: (_s, data) => ({ head: 'health', rest: brief(data), failed: false }),
};

/** What a message on `subject` carrying `data` says, in one line. */
export function summarize(subject: string, data: unknown): Summary {
  const { kind } = describeSubject(subject);
  const byKind = BY_KIND[kind];
  if (byKind) return byKind(subject, data);
  return { head: subjectName(subject, kind), rest: brief(data, VALUE_MAX * 2), failed: false };
}
