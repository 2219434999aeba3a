import { StateMachine } from '@switchboard/contracts';

/** Where a label of an agent stands: not set yet, or pointing at one of its versions. */
export type AgentLabelState = 'unset' | 'pointing';

/** What a move does to a label, by the version it leaves and the one it takes. */
export type AgentLabelTrigger = 'set' | 'promoted' | 'rolled-back' | 'kept';

/**
 * A label of an agent (AgentLabel row). Every move is one upsert of its row; `promoted` and
 * `rolled-back` are the same write, told apart for the audit record (a rollback is a move to an
 * older version); `kept` writes and audits nothing. A label is never unset: the agent's deletion
 * removes it with its versions.
 */
export const AGENT_LABEL = new StateMachine<AgentLabelState, AgentLabelTrigger>({
  name: 'agent label',
  initial: 'unset',
  final: [],
  transitions: [
    {
      from: 'unset',
      on: 'set',
      to: 'pointing',
      note: 'the agent was created (`production` → version 1), or a new label named; audited `agent.label.move`',
    },
    {
      from: 'pointing',
      on: 'promoted',
      to: 'pointing',
      note: 'moved to a newer version: tasks resolving it from now on run that one; audited `agent.label.move`',
    },
    {
      from: 'pointing',
      on: 'rolled-back',
      to: 'pointing',
      note: 'moved back to an older version (the rollback); audited `agent.label.move` with `rollback: true`',
    },
    {
      from: 'pointing',
      on: 'kept',
      to: 'pointing',
      note: 'asked to point where it points already: nothing written, nothing audited',
    },
  ],
});

/** Which move takes a label from version `from` (undefined: not set) to version `to`. */
export function labelMove(from: number | undefined, to: number): AgentLabelTrigger {
  if (from === undefined) return 'set';
  if (to === from) return 'kept';
  return to > from ? 'promoted' : 'rolled-back';
}
