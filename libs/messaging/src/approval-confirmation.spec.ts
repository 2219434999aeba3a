import { jest } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { confirmApproval, requireApproval } from './approval-confirmation.js';
import type { NatsBus } from './nats-bus.service.js';

const verify = {
  approvalId: '6f1c2b9e-1d4e-4a57-9a55-0c1a1f3e2d10',
  taskId: '0b8f7c6d-5e4a-4b3c-8d2e-1f0a9b8c7d6e',
  target: 'notes.add',
  argsHash: 'a'.repeat(64),
};
const action = { what: 'this call of notes.add', consequence: 'so it did not run', details: {} };
const answering = (answer: () => Promise<unknown>) => ({ request: answer }) as unknown as NatsBus;

describe(confirmApproval.name, () => {
  it('passes on what the orchestrator confirmed', async () => {
    const bus = answering(async () => ({ approvalId: verify.approvalId, decidedBy: 'ann' }));
    await expect(confirmApproval(bus, verify, action)).resolves.toEqual({
      confirmed: true,
      approval: { approvalId: verify.approvalId, decidedBy: 'ann' },
    });
  });

  it('returns a refusal in the orchestrator’s words, for the caller to word and audit', async () => {
    const bus = answering(async () => {
      throw new DomainError('FORBIDDEN', 'approval is rejected');
    });
    await expect(confirmApproval(bus, verify, action)).resolves.toEqual({
      confirmed: false,
      why: 'approval is rejected',
    });
  });

  it('throws UPSTREAM_UNAVAILABLE (retryable) when it could not ask, UPSTREAM_ERROR on its failure', async () => {
    const down = answering(async () => {
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'no responders', { retryable: true });
    });
    await expect(confirmApproval(down, verify, action)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      message: `cannot confirm approval ${verify.approvalId} for this call of notes.add, so it did not run: no responders`,
    });
    const broken = answering(async () => {
      throw new DomainError('INTERNAL', 'bug');
    });
    await expect(confirmApproval(broken, verify, action)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: false,
    });
  });
});

describe(requireApproval.name, () => {
  const refuse = (why: string) => new DomainError('FORBIDDEN', `refused: ${why}`);

  it('answers the approval the orchestrator confirmed, refusing nothing', async () => {
    const bus = answering(async () => ({ approvalId: verify.approvalId, decidedBy: 'ann' }));
    const never = jest.fn(refuse);
    await expect(requireApproval(bus, verify, action, never)).resolves.toEqual({
      approvalId: verify.approvalId,
      decidedBy: 'ann',
    });
    expect(never).not.toHaveBeenCalled();
  });

  it('throws the caller’s refusal, made of the orchestrator’s reason, when not confirmed', async () => {
    const bus = answering(async () => {
      throw new DomainError('CONFLICT', 'approval is pending');
    });
    await expect(requireApproval(bus, verify, action, refuse)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'refused: approval is pending',
    });
  });

  it('throws UPSTREAM_UNAVAILABLE, not the refusal, when it could not ask', async () => {
    const down = answering(async () => {
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'no responders', { retryable: true });
    });
    const never = jest.fn(refuse);
    await expect(requireApproval(down, verify, action, never)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(never).not.toHaveBeenCalled();
  });
});
