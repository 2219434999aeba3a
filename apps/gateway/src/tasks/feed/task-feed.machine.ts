import { StateMachine } from '@switchboard/contracts';

/**
 * Where one task event feed stands. `following`: events are delivered as they come, in seq order;
 * `checking`: the feed has waited too long for its next event and reads the stored task;
 * `grace`: the task is stored as ended but its missing events are not in the stream yet (the
 * orchestrator stores an outcome a moment before it publishes it); `ending`: the end is decided, what
 * is held goes out and then, if the real terminal event never came, a stand-in; then `ended` (the
 * terminal event, real or stand-in, was delivered) or `closed` (by its reader, or its reader threw).
 */
export type FeedPhase = 'following' | 'checking' | 'grace' | 'ending' | 'ended' | 'closed';

/** What moves a feed from one phase to the next. */
export type FeedTrigger =
  | 'stalled'
  | 'running'
  | 'events-came'
  | 'ended-unheard'
  | 'grace-over'
  | 'gave-up'
  | 'end-known'
  | 'terminal-delivered'
  | 'drained'
  | 'closed';

const OPEN: readonly FeedPhase[] = ['following', 'checking', 'grace'];

/** The gateway's task event feed (TaskFeedSession drives it; docs/state-machines.md prints it). */
export const TASK_FEED = new StateMachine<FeedPhase, FeedTrigger>({
  name: 'task event feed',
  initial: 'following',
  final: ['ended', 'closed'],
  transitions: [
    {
      from: 'following',
      on: 'stalled',
      to: 'checking',
      note: 'TASK_STALL_CHECK_MS of silence, a gap the stream could not fill, or a replay that found nothing after the reader’s position: the stored task is read',
    },
    {
      from: 'checking',
      on: 'running',
      to: 'following',
      note: 'the task has not ended (or cannot be read now): keep waiting, silence counted from now',
    },
    {
      from: 'checking',
      on: 'events-came',
      to: 'following',
      note: 'the stored task has ended and the stream had the missing events',
    },
    {
      from: 'checking',
      on: 'ended-unheard',
      to: 'grace',
      note: 'stored as ended, its next event in neither the stream nor the subscription: it gets TASK_OUTCOME_GRACE_MS',
    },
    {
      from: 'grace',
      on: 'grace-over',
      to: 'checking',
      note: 'the stored task and the stream are read once more',
    },
    {
      from: 'checking',
      on: 'gave-up',
      to: 'ending',
      note: 'still missing after the grace: what is held goes out (holes skipped), then the stored outcome as a stand-in (`source: "gateway"`)',
    },
    {
      from: OPEN,
      on: 'end-known',
      to: 'ending',
      note: 'the terminal event arrived at or behind the reader’s position (a Last-Event-ID past it): nothing more comes',
    },
    {
      from: [...OPEN, 'ending'],
      on: 'terminal-delivered',
      to: 'ended',
      note: 'the task’s own terminal event went out; the subscription is dropped',
    },
    {
      from: 'ending',
      on: 'drained',
      to: 'ended',
      note: 'what was held went out, and the stand-in if there is one',
    },
    {
      from: [...OPEN, 'ending'],
      on: 'closed',
      to: 'closed',
      note: 'closed by its reader, or its reader threw on an event; the subscription is dropped',
    },
  ],
});
