import { describe, expect, it } from '@jest/globals';
import { IllegalTransition } from '@switchboard/contracts';
import { AGENT_STEP, type AgentStepPhase, type AgentStepTrigger } from './agent-step.machine.js';

const walk = AGENT_STEP.walk.bind(AGENT_STEP);

describe('the delegation step machine', () => {
  it('is answered and completes', () => {
    expect(walk('answered', 'accepted').history).toEqual(['waiting', 'answered', 'completed']);
  });

  it('fails an answer it rejects (not completed, or blocked) without a second result', () => {
    const step = walk('answered', 'rejected');
    expect(step.state).toBe('failed');
    expect(AGENT_STEP.target('answered', 'failed')).toBeUndefined();
  });

  it.each<[AgentStepPhase, AgentStepTrigger[]]>([
    ['waiting', []],
    ['cancelling', ['cancelled']],
    ['muted', ['blocked']],
    ['muted', ['cancelled', 'blocked']],
  ])('from %s, is answered or fails', (phase, before) => {
    expect(walk(...before).state).toBe(phase);
    expect(walk(...before, 'answered').state).toBe('answered');
    expect(walk(...before, 'failed').state).toBe('failed');
  });

  it('is cancelled once, and a muted step is not cancelled again', () => {
    expect(AGENT_STEP.target('cancelling', 'cancelled')).toBeUndefined();
    expect(AGENT_STEP.target('muted', 'cancelled')).toBeUndefined();
    expect(() => walk('accepted')).toThrow(IllegalTransition);
    expect(() => walk('answered', 'accepted', 'failed')).toThrow(
      /is not allowed in state "completed"/,
    );
  });
});
