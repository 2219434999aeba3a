import { describe, expect, it } from '@jest/globals';
import type { Submission } from './load.js';
import type { AuditRow } from './truth.js';
import { formatLine, judge, type PhaseObservation, type TaskRecord } from './verdict.js';

const NOW = 1_000_000;
let ids = 0;

function audit(taskId: string, action: string, resource: string, extra: Partial<AuditRow> = {}) {
  return { taskId, action, resource, outcome: 'success', replayed: false, ...extra };
}

/** A demo task that completed as it should: one note, its four audit records. */
function demo(over: Partial<TaskRecord> = {}): TaskRecord {
  const taskId = `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  return {
    taskId,
    user: `u${ids}`,
    kind: 'demo',
    expectedNote: '391',
    deadline: NOW + 60_000,
    status: 'completed',
    finishedAt: NOW - 1_000,
    completedSteps: [
      { kind: 'tool', target: 'calculator' },
      { kind: 'tool', target: 'notes.add' },
    ],
    notes: ['391'],
    audit: [
      audit(taskId, 'task.submit', taskId),
      audit(taskId, 'tool.call', 'calculator'),
      audit(taskId, 'tool.call', 'notes.add'),
      audit(taskId, 'task.completed', taskId),
    ],
    ...over,
  };
}

function accepted(n: number): Submission[] {
  return Array.from({ length: n }, (_, i) => ({
    n: i + 1,
    user: `u${i}`,
    kind: 'demo' as const,
    text: 'what is 17 * 23, then save the result as a note',
    expectedNote: '391',
    sentAt: NOW - 10_000,
    outcome: 'accepted' as const,
    taskId: `t${i}`,
    httpStatus: 202,
  }));
}

function observe(tasks: TaskRecord[], over: Partial<PhaseObservation> = {}): PhaseObservation {
  return {
    refusals: 'none',
    submissions: accepted(tasks.length),
    tasks,
    now: NOW,
    chain: { ok: true, checked: 100 },
    notReady: [],
    recoveredMs: 3_100,
    findings: [],
    idempotentTools: new Set(['calculator']),
    ...over,
  };
}

describe('judge', () => {
  it('passes a fault after which every task completed once, on the record, and the platform recovered', () => {
    const v = judge(observe([demo(), demo()]));
    expect(v).toMatchObject({ accepted: 2, completed: 2, failed: 0, stuck: 0, dup: 0, pass: true });
    expect(v.problems).toEqual([]);
    expect(formatLine('kill -9 orchestrator', v)).toBe(
      'kill -9 orchestrator     accepted 2 completed 2 failed 0 stuck 0 dup 0 audit ok  recovered 3.1 s  PASS',
    );
    expect(formatLine('kill -9 orchestrator', v, 2)).toBe(
      'kill -9 orchestrator     accepted 2 in flight 2 completed 2 failed 0 stuck 0 dup 0 audit ok  recovered 3.1 s  PASS',
    );
  });

  it('counts a failed task as a false failure, with its reason', () => {
    const failed = demo({
      status: 'failed',
      error: { code: 'UPSTREAM_UNAVAILABLE', message: 'mcp-tools is not available' },
      completedSteps: [{ kind: 'tool', target: 'calculator' }],
      notes: [],
    });
    failed.audit = failed.audit
      .filter((a) => a.resource !== 'notes.add')
      .map((a) => (a.action === 'task.completed' ? { ...a, action: 'task.failed' } : a));
    const v = judge(observe([demo(), failed]));
    expect(v.pass).toBe(false);
    expect(v.failed).toBe(1);
    expect(v.problems).toEqual([
      '1 accepted tasks did not complete: UPSTREAM_UNAVAILABLE mcp-tools is not available',
    ]);
    expect(formatLine('kill -9 mcp-tools', v)).toContain('failed 1 (UPSTREAM_UNAVAILABLE×1)');
    // Several reasons of one code count together on the line; the problem keeps them apart.
    const other = {
      ...failed,
      taskId: 'other',
      error: { code: 'UPSTREAM_UNAVAILABLE', message: 'no responders' },
    };
    const both = judge(observe([failed, other]));
    expect(formatLine('kill -9 mcp-tools', both)).toContain('failed 2 (UPSTREAM_UNAVAILABLE×2)');
    expect(both.problems[0]).toContain(
      'mcp-tools is not available; UPSTREAM_UNAVAILABLE no responders',
    );
  });

  it('calls a task stuck only once its budget has run out', () => {
    const running = demo({ status: 'running', notes: [], audit: [], completedSteps: [] });
    expect(judge(observe([running])).stuck).toBe(0);
    const late = judge(observe([{ ...running, deadline: NOW - 1 }]));
    expect(late.stuck).toBe(1);
    expect(late.problems).toContain('1 tasks stuck past their budget (running)');
  });

  it('compares each end with the real side effect: the note', () => {
    const noNote = demo({ notes: [] });
    const wrongNote = demo({ notes: ['17'] });
    const failedWithNote = demo({ status: 'failed', error: { code: 'TIMEOUT', message: 'late' } });
    failedWithNote.audit = failedWithNote.audit.map((a) =>
      a.action === 'task.completed' ? { ...a, action: 'task.failed' } : a,
    );
    const v = judge(observe([noNote, wrongNote, failedWithNote]));
    expect(v.problems).toEqual(
      expect.arrayContaining([
        '1 tasks completed without storing its note',
        '1 tasks stored a note that is not its answer',
        '1 tasks failed although its note was stored',
      ]),
    );
  });

  it('counts a second note as a duplicate side effect', () => {
    const v = judge(observe([demo({ notes: ['391', '391'] })]));
    expect(v.dup).toBe(1);
    expect(v.problems).toContain('1 tasks stored its note more than once');
  });

  it('finds audit records lost or stored twice, and steps with side effects that ran twice', () => {
    const lost = demo();
    lost.audit = lost.audit.filter((a) => a.action !== 'task.submit');
    const twice = demo();
    twice.audit.push(audit(twice.taskId, 'task.completed', twice.taskId));
    const delegation = demo({
      kind: 'researcher',
      expectedNote: 'NATS',
      notes: ['## NATS'],
      completedSteps: [
        { kind: 'agent', target: 'researcher' },
        { kind: 'tool', target: 'notes.add' },
      ],
    });
    delegation.audit = [
      audit(delegation.taskId, 'task.submit', delegation.taskId),
      audit(delegation.taskId, 'a2a.delegate', 'researcher'),
      audit(delegation.taskId, 'a2a.delegate', 'researcher'),
      audit(delegation.taskId, 'tool.call', 'notes.add'),
      audit(delegation.taskId, 'task.completed', delegation.taskId),
    ];
    const v = judge(observe([lost, twice, delegation]));
    expect(v.lostAudit).toBe(1);
    expect(v.dup).toBe(2);
    expect(v.auditOk).toBe(false);
    expect(v.problems).toEqual([
      '1 audit records lost: task.submit',
      '1 audit records stored twice: task.completed',
      '1 steps with side effects ran twice (audited twice): a2a.delegate researcher',
    ]);
  });

  it('accepts a re-run of an idempotent tool and a replayed call as truthful records', () => {
    const t = demo();
    t.audit.push(audit(t.taskId, 'tool.call', 'calculator'));
    t.audit.push(audit(t.taskId, 'tool.call', 'notes.add', { replayed: true }));
    const v = judge(observe([t]));
    expect(v).toMatchObject({ pass: true, dup: 0, reruns: 1 });
  });

  it('fails when a record of a completed step is missing', () => {
    const t = demo();
    t.audit = t.audit.filter((a) => a.resource !== 'notes.add');
    expect(judge(observe([t])).problems).toEqual(['1 audit records lost: tool.call notes.add']);
  });

  it('allows users to be turned away only where the fault allows it, and only cleanly', () => {
    const away = (httpStatus: number | undefined, reason: string): Submission => ({
      ...accepted(1)[0]!,
      outcome: httpStatus ? 'refused' : 'unreachable',
      ...(httpStatus ? { httpStatus } : { httpStatus: undefined }),
      reason,
    });
    const submissions = [
      ...accepted(1),
      away(503, 'UPSTREAM_UNAVAILABLE'),
      away(undefined, 'ECONNREFUSED'),
    ];
    const none = judge(observe([demo()], { submissions }));
    expect(none.turnedAway).toBe(2);
    expect(none.problems).toEqual([
      '2 submissions turned away: 503 UPSTREAM_UNAVAILABLE; ECONNREFUSED',
    ]);
    expect(judge(observe([demo()], { submissions, refusals: 'clean' })).pass).toBe(true);
    const unclean = judge(
      observe([demo()], {
        submissions: [...submissions, away(500, 'INTERNAL')],
        refusals: 'clean',
      }),
    );
    expect(unclean.problems).toEqual([
      '1 submissions refused without a clean 503/504: 500 INTERNAL',
    ]);
  });

  it('fails on a broken chain, a service not ready, no recovery, no load and the fault’s own findings', () => {
    const v = judge(
      observe([], {
        submissions: [],
        chain: { ok: false, checked: 10, reason: 'row 7: hash mismatch' },
        notReady: ['audit'],
        recoveredMs: null,
        findings: ['SB_AUDIT audit (not JSON): dead-lettered 3 times'],
      }),
    );
    expect(v.problems).toEqual([
      'the audit chain does not verify: row 7: hash mismatch',
      'not ready again: audit',
      'never recovered: no demo task and delegation submitted after the fault ended both completed',
      'no task was accepted: the load never reached the platform',
      'SB_AUDIT audit (not JSON): dead-lettered 3 times',
    ]);
    expect(formatLine('poison SB_AUDIT', v)).toMatch(/audit chain broken recovered never {2}FAIL$/);
  });

  it('prints "recovered -" for a fault without an outage', () => {
    expect(
      formatLine('malformed requests', judge(observe([demo()], { recoveredMs: undefined }))),
    ).toContain('recovered -');
  });
});
