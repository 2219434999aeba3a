import type { Submission, TaskKind } from './load.js';
import type { AuditRow } from './truth.js';

/** Everything the suite learnt about one accepted task once the fault is over. */
export interface TaskRecord {
  taskId: string;
  user: string;
  kind: TaskKind;
  expectedNote: string;
  /** Its budget, counted from when it could first run (its acceptance or the fault's end). */
  deadline: number;
  status: 'queued' | 'running' | 'waiting_approval' | 'completed' | 'failed' | 'cancelled';
  /** When it ended, as stored. */
  finishedAt?: number;
  error?: { code: string; message: string };
  /** The steps the task reports as completed. */
  completedSteps: { kind: 'tool' | 'agent'; target: string }[];
  /** Its user's notes: the real side effect of its notes.add step. */
  notes: string[];
  audit: AuditRow[];
  /** Set when `GET /tasks/{id}` did not answer, or answered otherwise than the stored task. */
  apiProblem?: string;
}

export interface PhaseObservation {
  /** May users be turned away while the fault lasts (the gateway down, NATS down)? */
  refusals: 'none' | 'clean';
  submissions: Submission[];
  tasks: TaskRecord[];
  /** When the tasks were last looked at (stuck = not terminal and past its deadline then). */
  now: number;
  chain: { ok: boolean; checked: number; reason?: string };
  notReady: string[];
  /** From the fault's end until a task submitted after it completed; null: none did; undefined: no outage. */
  recoveredMs: number | null | undefined;
  /** What the fault's own checks found (poison, malformed requests, shutdown). */
  findings: string[];
  /** Tools without side effects, which may run again after a crash (from the tool manifest). */
  idempotentTools: ReadonlySet<string>;
}

export interface Verdict {
  accepted: number;
  completed: number;
  failed: number;
  /** Failure reasons (code and message) with their counts. */
  failedWhy: Map<string, number>;
  stuck: number;
  dup: number;
  lostAudit: number;
  /** Steps of idempotent tools that ran again after a crash (truthful, not duplicates). */
  reruns: number;
  turnedAway: number;
  auditOk: boolean;
  /** `ok`, or what is wrong with the audit trail in a few words. */
  audit: string;
  recoveredMs: number | null | undefined;
  problems: string[];
  pass: boolean;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Judges one fault: every accepted task ended truthfully, once, on the record, in time. */
export function judge(o: PhaseObservation): Verdict {
  const problems: string[] = [];
  const terminal = o.tasks.filter((t) => TERMINAL.has(t.status));
  const completed = terminal.filter((t) => t.status === 'completed');
  const failedTasks = terminal.filter((t) => t.status !== 'completed');
  const failedWhy = countBy(failedTasks.map((t) => failureReason(t)));
  if (failedTasks.length)
    problems.push(`${failedTasks.length} accepted tasks did not complete: ${list(failedWhy)}`);

  const stuck = o.tasks.filter((t) => !TERMINAL.has(t.status) && o.now > t.deadline);
  if (stuck.length)
    problems.push(
      `${stuck.length} tasks stuck past their budget (${list(countBy(stuck.map((t) => t.status)))})`,
    );

  const sideEffects = terminal.flatMap((t) => sideEffectProblems(t));
  problems.push(...summarise(sideEffects.map((p) => p.what)));
  const dupNotes = sideEffects.filter((p) => p.duplicate).length;

  const audit = terminal.map((t) => auditProblems(t, o.idempotentTools));
  const lostAudit = audit.reduce((n, a) => n + a.lost.length, 0);
  const doubled = audit.flatMap((a) => a.doubled);
  const ranTwice = audit.flatMap((a) => a.ranTwice);
  if (lostAudit)
    problems.push(
      `${lostAudit} audit records lost: ${list(countBy(audit.flatMap((a) => a.lost)))}`,
    );
  if (doubled.length)
    problems.push(`${doubled.length} audit records stored twice: ${list(countBy(doubled))}`);
  if (ranTwice.length)
    problems.push(
      `${ranTwice.length} steps with side effects ran twice (audited twice): ${list(countBy(ranTwice))}`,
    );
  const dupAudit = doubled.length + ranTwice.length;
  if (!o.chain.ok) problems.push(`the audit chain does not verify: ${o.chain.reason ?? 'not ok'}`);

  problems.push(...summarise(o.tasks.flatMap((t) => (t.apiProblem ? [t.apiProblem] : []))));
  const turnedAway = turnedAwayProblems(o, problems);
  if (o.notReady.length) problems.push(`not ready again: ${o.notReady.join(', ')}`);
  if (o.recoveredMs === null)
    problems.push(
      'never recovered: no demo task and delegation submitted after the fault ended both completed',
    );
  const accepted = o.submissions.filter((s) => s.outcome === 'accepted').length;
  if (accepted === 0) problems.push('no task was accepted: the load never reached the platform');
  problems.push(...o.findings);
  return {
    accepted,
    completed: completed.length,
    failed: failedTasks.length,
    failedWhy,
    stuck: stuck.length,
    dup: dupNotes + dupAudit,
    lostAudit,
    reruns: audit.reduce((n, a) => n + a.reruns, 0),
    turnedAway,
    auditOk: lostAudit === 0 && dupAudit === 0 && o.chain.ok,
    audit:
      [
        ...(lostAudit ? [`lost ${lostAudit}`] : []),
        ...(dupAudit ? [`twice ${dupAudit}`] : []),
        ...(o.chain.ok ? [] : ['chain broken']),
      ].join(', ') || 'ok',
    recoveredMs: o.recoveredMs,
    problems,
    pass: problems.length === 0,
  };
}

function failureReason(t: TaskRecord): string {
  if (t.status === 'cancelled') return 'cancelled';
  const message = (t.error?.message ?? '').replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 120);
  return `${t.error?.code ?? 'UNKNOWN'} ${message}`.trim();
}

/** The note a task's notes.add step writes: exactly one when it completed, none when it did not. */
function sideEffectProblems(t: TaskRecord): { what: string; duplicate: boolean }[] {
  const n = t.notes.length;
  if (t.status === 'completed') {
    if (n === 0) return [{ what: 'completed without storing its note', duplicate: false }];
    const wrong = t.notes.some((c) => !c.includes(t.expectedNote));
    const out: { what: string; duplicate: boolean }[] = [];
    if (n > 1) out.push({ what: 'stored its note more than once', duplicate: true });
    if (wrong) out.push({ what: 'stored a note that is not its answer', duplicate: false });
    return out;
  }
  if (n === 0) return [];
  return [
    { what: `${t.status} although its note was stored`, duplicate: false },
    ...(n > 1 ? [{ what: 'stored its note more than once', duplicate: true }] : []),
  ];
}

/**
 * The records a terminal task must leave, each once: its submission, its end, and one success per
 * completed step. A step run again after a crash is recorded again, truthfully: for an idempotent tool
 * (no side effect) that is a re-run, not a duplicate; a tool call answered from its idempotency record
 * is marked replayed and is not a second run at all. A second run of anything else (a note, a
 * delegation to a remote agent) is a duplicate side effect.
 */
function auditProblems(
  t: TaskRecord,
  idempotentTools: ReadonlySet<string>,
): { lost: string[]; doubled: string[]; ranTwice: string[]; reruns: number } {
  const lost: string[] = [];
  const doubled: string[] = [];
  const ranTwice: string[] = [];
  let reruns = 0;
  const once = (action: string) => {
    const rows = t.audit.filter((r) => r.action === action).length;
    if (rows === 0) lost.push(action);
    if (rows > 1) doubled.push(action);
  };
  once('task.submit');
  once(`task.${t.status}`);
  const steps = countBy(
    t.completedSteps.map((s) => `${s.kind === 'tool' ? 'tool.call' : 'a2a.delegate'} ${s.target}`),
  );
  for (const [key, expected] of steps) {
    const [action = '', resource = ''] = key.split(' ');
    const successes = t.audit.filter(
      (r) => r.action === action && r.resource === resource && r.outcome === 'success',
    );
    const runs = successes.filter((r) => !r.replayed).length;
    if (!successes.length) lost.push(key);
    else if (runs > expected && action === 'tool.call' && idempotentTools.has(resource))
      reruns += runs - expected;
    else if (runs > expected) ranTwice.push(key);
  }
  return { lost, doubled, ranTwice, reruns };
}

/** Submissions the gateway did not accept; allowed only, and only as a clean 503/504, while it is down. */
function turnedAwayProblems(o: PhaseObservation, problems: string[]): number {
  const away = o.submissions.filter((s) => s.outcome === 'refused' || s.outcome === 'unreachable');
  if (!away.length) return 0;
  const why = countBy(
    away.map((s) => (s.httpStatus ? `${s.httpStatus} ${s.reason}` : `${s.reason}`)),
  );
  if (o.refusals === 'none') {
    problems.push(`${away.length} submissions turned away: ${list(why)}`);
  } else {
    const unclean = away.filter(
      (s) => s.outcome === 'refused' && s.httpStatus !== 503 && s.httpStatus !== 504,
    );
    if (unclean.length)
      problems.push(
        `${unclean.length} submissions refused without a clean 503/504: ${list(countBy(unclean.map((s) => `${s.httpStatus} ${s.reason}`)))}`,
      );
  }
  return away.length;
}

function countBy(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function list(m: Map<string, number>): string {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => (n > 1 ? `${k} ×${n}` : k))
    .join('; ');
}

function summarise(whats: string[]): string[] {
  return [...countBy(whats).entries()].map(([what, n]) => `${n} tasks ${what}`);
}

/** `kill -9 orchestrator   accepted 40 completed 40 failed 0 stuck 0 dup 0 audit ok  recovered 3.1 s  PASS` */
export function formatLine(label: string, v: Verdict, inFlight?: number, width = 24): string {
  const byCode = new Map<string, number>();
  for (const [why, n] of v.failedWhy) {
    const code = why.split(' ')[0] ?? why;
    byCode.set(code, (byCode.get(code) ?? 0) + n);
  }
  const failed = v.failed
    ? `failed ${v.failed} (${[...byCode.entries()].map(([code, n]) => `${code}×${n}`).join(', ')})`
    : 'failed 0';
  const recovered =
    v.recoveredMs === undefined
      ? 'recovered -'
      : v.recoveredMs === null
        ? 'recovered never'
        : `recovered ${(v.recoveredMs / 1000).toFixed(1)} s`;
  return [
    label.padEnd(width),
    `accepted ${v.accepted}`,
    ...(inFlight !== undefined ? [`in flight ${inFlight}`] : []),
    ...(v.turnedAway ? [`turned away ${v.turnedAway}`] : []),
    `completed ${v.completed}`,
    failed,
    `stuck ${v.stuck}`,
    `dup ${v.dup}`,
    `audit ${v.audit}${v.auditOk ? ' ' : ''}`,
    recovered,
    v.pass ? ' PASS' : ' FAIL',
  ].join(' ');
}
