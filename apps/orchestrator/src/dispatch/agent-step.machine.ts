import { StateMachine } from '@switchboard/contracts';

/**
 * Where one delegation step stands in the orchestrator. `waiting`: the request is with the a2a
 * service and its progress is relayed as task events; `cancelling`: the task was cancelled or ran out
 * of time, the cancel went to a2a (which forwards CancelTask) and the progress still comes (the agent's
 * answer to CancelTask among it); `muted`: the output guardrail blocked a progress text, the placeholder
 * went out instead, the delegation is being stopped and nothing more of it is relayed; `answered`: a2a
 * answered and `a2a.delegation.result` went out; then `completed` or `failed`.
 */
export type AgentStepPhase =
  'waiting' | 'cancelling' | 'muted' | 'answered' | 'completed' | 'failed';

export type AgentStepTrigger =
  'cancelled' | 'blocked' | 'answered' | 'accepted' | 'rejected' | 'failed';

const ASKING: readonly AgentStepPhase[] = ['waiting', 'cancelling', 'muted'];

/** A delegation step (DelegationStep drives it); docs/state-machines.md prints it. */
export const AGENT_STEP = new StateMachine<AgentStepPhase, AgentStepTrigger>({
  name: 'delegation step',
  initial: 'waiting',
  final: ['completed', 'failed'],
  transitions: [
    {
      from: 'waiting',
      on: 'cancelled',
      to: 'cancelling',
      note: 'the task was cancelled or ran out of time: `sb.ctl.a2a.delegation.<id>.cancel`; progress is still relayed',
    },
    {
      from: ['waiting', 'cancelling'],
      on: 'blocked',
      to: 'muted',
      note: 'the output guardrail blocked a progress text: the placeholder is relayed, the delegation cancelled, nothing more relayed',
    },
    {
      from: ASKING,
      on: 'answered',
      to: 'answered',
      note: 'a2a answered (a repeat of the request attached to the same delegation counts once): `a2a.delegation.result`',
    },
    {
      from: 'answered',
      on: 'accepted',
      to: 'completed',
      note: 'the agent completed its task and its answer passed the output guardrail',
    },
    {
      from: 'answered',
      on: 'rejected',
      to: 'failed',
      note: 'the agent’s task ended otherwise (`UPSTREAM_ERROR`), or its answer was blocked (`GUARDRAIL`, the placeholder relayed)',
    },
    {
      from: ASKING,
      on: 'failed',
      to: 'failed',
      note: 'no answer within the retry budget, a refusal, or the cancel: the error; a delegation a2a had started gets its `a2a.delegation.result` too',
    },
  ],
});
