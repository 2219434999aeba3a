import type { RunAgentInput } from '@ag-ui/core';
import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { resumeAnswersOf } from './agui-interrupts.js';

const A = '0b6f1a52-3c4d-4e5f-8a9b-1c2d3e4f5a6b';
const B = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const input = (resume: unknown): RunAgentInput =>
  ({ threadId: 't', runId: 'r', messages: [], tools: [], context: [], resume }) as RunAgentInput;

/** The field a refusal names. */
function refusedPath(resume: unknown): string | undefined {
  try {
    resumeAnswersOf(input(resume));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('VALIDATION');
    const issues = (e as DomainError).details?.['issues'] as { path: string }[];
    return issues[0]?.path;
  }
}

describe(resumeAnswersOf.name, () => {
  it('has no answers for a run without resume', () => {
    expect(resumeAnswersOf(input(undefined))).toEqual([]);
  });

  it('reads resolved entries as approvals or rejections, and cancelled ones as rejections', () => {
    expect(
      resumeAnswersOf(
        input([
          {
            interruptId: A,
            status: 'resolved',
            payload: { approve: true, input: { content: '1' } },
          },
          { interruptId: B, status: 'cancelled' },
        ]),
      ),
    ).toEqual([
      { approvalId: A, decision: 'approve', input: { content: '1' } },
      { approvalId: B, decision: 'reject', reason: 'cancelled by the user' },
    ]);
    expect(
      resumeAnswersOf(
        input([{ interruptId: A, status: 'resolved', payload: { approve: false, reason: 'no' } }]),
      ),
    ).toEqual([{ approvalId: A, decision: 'reject', reason: 'no' }]);
  });

  it('refuses a wrong entry naming its field', () => {
    expect(
      refusedPath([{ interruptId: 'x', status: 'resolved', payload: { approve: true } }]),
    ).toBe('resume.0.interruptId');
    expect(refusedPath([{ interruptId: A, status: 'done' }])).toBe('resume.0.status');
    expect(refusedPath([{ interruptId: A, status: 'resolved' }])).toBe('resume.0.payload');
    expect(refusedPath([{ interruptId: A, status: 'resolved', payload: { approve: 'yes' } }])).toBe(
      'resume.0.payload.approve',
    );
    expect(
      refusedPath([
        { interruptId: A, status: 'resolved', payload: { approve: false, input: { a: 1 } } },
      ]),
    ).toBe('resume.0.payload.input');
    expect(
      refusedPath([
        { interruptId: A, status: 'resolved', payload: { approve: true } },
        { interruptId: A, status: 'cancelled' },
      ]),
    ).toBe('resume.1.interruptId');
    expect(
      refusedPath([
        { interruptId: A, status: 'resolved', payload: { approve: true, reason: 'a\u0000' } },
      ]),
    ).toBe('resume.0.payload.reason');
  });
});
