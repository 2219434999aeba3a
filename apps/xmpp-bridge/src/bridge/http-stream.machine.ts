import { StateMachine } from '@switchboard/contracts';

/**
 * Where one streamed HTTP exchange stands in the bridge that took it (`Xmpp.HttpStream`). `received`:
 * the request is being read; `serving`: it is valid, heartbeats go out and the peer's response is
 * awaited over XMPP; `streaming`: its head went out and body parts follow as XMPP delivers them; then
 * `ended`, `failed` (an error part), `broken` (a part the contract or NATS could not carry: an error
 * part instead, and the exchange is stopped at its source), `cancelled` (by the caller: nobody listens)
 * or `refused` (the request was not valid).
 */
export type HttpStreamPhase =
  'received' | 'serving' | 'streaming' | 'ended' | 'failed' | 'broken' | 'cancelled' | 'refused';

export type HttpStreamTrigger =
  'refused' | 'accepted' | 'head' | 'end' | 'failed' | 'broke' | 'cancelled';

const OPEN: readonly HttpStreamPhase[] = ['serving', 'streaming'];

/** A streamed exchange the bridge serves (HttpStreamResponder drives it); docs/state-machines.md prints it. */
export const HTTP_STREAM = new StateMachine<HttpStreamPhase, HttpStreamTrigger>({
  name: 'streamed HTTP exchange',
  initial: 'received',
  final: ['ended', 'failed', 'broken', 'cancelled', 'refused'],
  transitions: [
    {
      from: 'received',
      on: 'refused',
      to: 'refused',
      note: 'not the request envelope, or a request the contract refuses: one `error` part (VALIDATION) naming the problem',
    },
    {
      from: 'received',
      on: 'accepted',
      to: 'serving',
      note: 'heartbeats start (the caller notices a dead bridge within a few); the request goes out over XMPP',
    },
    {
      from: 'serving',
      on: 'head',
      to: 'streaming',
      note: 'the peer’s status and headers: a `head` part',
    },
    {
      from: OPEN,
      on: 'end',
      to: 'ended',
      note: 'the peer’s response is complete: an `end` part',
    },
    {
      from: OPEN,
      on: 'failed',
      to: 'failed',
      note: 'the exchange failed (the peer, XMPP, a timeout, the bridge stopping): an `error` part',
    },
    {
      from: OPEN,
      on: 'broke',
      to: 'broken',
      note: 'a part too large for NATS, or a head the contract refuses: an `error` part instead, and the exchange is stopped',
    },
    {
      from: OPEN,
      on: 'cancelled',
      to: 'cancelled',
      note: 'the caller cancelled (`sb.ctl.xmpp.http.stream.<id>.cancel`): nothing more is sent',
    },
  ],
});
