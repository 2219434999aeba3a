import { StateMachine } from '@switchboard/contracts';

/**
 * Where one delegation stands in the replica running it. `requested`: the caller's policy is being
 * checked; `sending`: an attempt sends the message (the agent has not named its task yet); `following`:
 * the agent's task is known (named by this attempt, an earlier one, or a replica that was lost) and is
 * followed, never sent again; `waiting`: an attempt failed with a transient error and the next waits
 * its backoff; `cancelling`: a user's cancel or the deadline, forwarded as CancelTask when the agent's
 * task is known; then one of the final states.
 */
export type DelegationPhase =
  | 'requested'
  | 'sending'
  | 'following'
  | 'waiting'
  | 'cancelling'
  | 'answered'
  | 'failed'
  | 'cancelled'
  | 'denied';

/** What moves a delegation from one phase to the next. */
export type DelegationTrigger =
  | 'denied'
  | 'send'
  | 'follow'
  | 'remote-task'
  | 'retry'
  | 'answered'
  | 'failed'
  | 'cancelled'
  | 'cancel-forwarded';

const LIVE: readonly DelegationPhase[] = ['requested', 'sending', 'following', 'waiting'];

/** The delegation a2a drives (DelegationDriver); docs/state-machines.md prints it. */
export const DELEGATION = new StateMachine<DelegationPhase, DelegationTrigger>({
  name: 'delegation',
  initial: 'requested',
  final: ['answered', 'failed', 'cancelled', 'denied'],
  transitions: [
    {
      from: 'requested',
      on: 'denied',
      to: 'denied',
      note: 'the caller’s tenant does not have the agent (TENANTS_FILE), or A2A_AGENT_POLICY does not let its role use it: `FORBIDDEN`, audited as denied',
    },
    {
      from: ['requested', 'waiting'],
      on: 'send',
      to: 'sending',
      note: 'an attempt resolves the agent’s card and sends the message (`started` progress on the first)',
    },
    {
      from: ['requested', 'waiting'],
      on: 'follow',
      to: 'following',
      note: 'an attempt follows the agent’s task it already knows instead of sending again',
    },
    {
      from: 'sending',
      on: 'remote-task',
      to: 'following',
      note: 'the agent named its task: from now on a cancel aborts at once and a retry follows it',
    },
    {
      from: ['sending', 'following'],
      on: 'retry',
      to: 'waiting',
      note: 'a transient failure within the retry budget and the circuit breaker: `retry` progress',
    },
    {
      from: ['sending', 'following'],
      on: 'answered',
      to: 'answered',
      note: 'the agent’s task reached a final or interrupted state: the result, audited (success when completed)',
    },
    {
      from: LIVE,
      on: 'failed',
      to: 'failed',
      note: 'an unknown agent, an error that cannot be retried, or retries spent: the error, audited',
    },
    {
      from: LIVE,
      on: 'cancelled',
      to: 'cancelling',
      note: 'the user’s cancel or the delegation’s deadline stopped it',
    },
    {
      from: 'cancelling',
      on: 'cancel-forwarded',
      to: 'cancelled',
      note: 'CancelTask sent when the agent’s task is known (its answer is the last progress); `CANCELLED` or `TIMEOUT`',
    },
  ],
});
