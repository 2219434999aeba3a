import { StateMachine } from '@switchboard/contracts';

/**
 * Where one streamed request (`NatsBus.requestStream`) stands. `connecting`: waiting for a usable
 * connection (a request published while disconnected would be lost); `awaiting`: sent, the first part
 * not yet here (the contract's timeout); `streaming`: parts arrive in `seq` order (the idle timeout
 * between them); then `ended` (the responder's `end`), `refused` (the responder is done: its `error`
 * part, or nobody answers), `abandoned` (the caller gave up on it — a timeout, the responder's
 * heartbeats stopped, the request lost with the connection, an invalid part, the signal, or the caller
 * stopped reading — and the cancel contract goes out so the responder stops too) or `unsent`.
 */
export type StreamRequestPhase =
  'connecting' | 'awaiting' | 'streaming' | 'ended' | 'refused' | 'abandoned' | 'unsent';

export type StreamRequestTrigger = 'sent' | 'unsent' | 'part' | 'end' | 'refused' | 'abandoned';

const OPEN: readonly StreamRequestPhase[] = ['awaiting', 'streaming'];

/** A streamed request (StreamRequestCall drives it); docs/state-machines.md prints it. */
export const STREAM_REQUEST = new StateMachine<StreamRequestPhase, StreamRequestTrigger>({
  name: 'streamed request',
  initial: 'connecting',
  final: ['ended', 'refused', 'abandoned', 'unsent'],
  transitions: [
    {
      from: 'connecting',
      on: 'sent',
      to: 'awaiting',
      note: 'the connection is usable: the request goes out with this identity’s own inbox as its reply subject',
    },
    {
      from: 'connecting',
      on: 'unsent',
      to: 'unsent',
      note: 'no usable connection within the wait (`UPSTREAM_UNAVAILABLE`), or aborted first: nothing to cancel',
    },
    {
      from: OPEN,
      on: 'part',
      to: 'streaming',
      note: 'the next part in `seq` order, handed to the caller (heartbeats only move the deadlines)',
    },
    { from: OPEN, on: 'end', to: 'ended', note: 'the responder’s `end` part' },
    {
      from: OPEN,
      on: 'refused',
      to: 'refused',
      note: 'the responder’s `error` part, or no responders: it is done, no cancel',
    },
    {
      from: OPEN,
      on: 'abandoned',
      to: 'abandoned',
      note: 'a timeout, heartbeats stopped, the request lost with the connection, an invalid part, the signal, or the caller stopped reading: the cancel contract is published with the stream’s id',
    },
  ],
});
