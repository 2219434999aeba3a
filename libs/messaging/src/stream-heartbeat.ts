// Both ends of the heartbeats that keep a streamed exchange honest (see StreamHeartbeat in the
// contracts): the responder beats while it works; the caller, once it has heard one, counts the
// silence and gives up after a few missed beats — a dead responder is noticed in seconds, not at
// the exchange's timeout, while a slow peer behind a live responder keeps its whole budget.
import {
  DomainError,
  STREAM_HEARTBEAT_MISSES,
  StreamHeartbeat,
  type CommandContract,
} from '@switchboard/contracts';

/**
 * Sends `send(beat)` at once and then every `intervalMs` until the returned function is called.
 * A beat that cannot go out is skipped: the caller's limit allows for a few.
 */
export function startHeartbeat(
  send: (beat: StreamHeartbeat) => void,
  intervalMs: number,
): () => void {
  const beat: StreamHeartbeat = { kind: 'heartbeat', intervalMs };
  const tick = () => {
    try {
      send(beat);
    } catch {
      // The connection is going: the caller's own limit ends the exchange.
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The caller's view of the responder of one streamed reply: when it was last heard from, and — once
 * it has sent a heartbeat — how long a silence means it is gone.
 */
export class ResponderLiveness {
  private beatMs: number | undefined;
  private lastHeard = performance.now();

  constructor(private readonly misses = STREAM_HEARTBEAT_MISSES) {}

  /** A message of any kind came from the responder. */
  heard(): void {
    this.lastHeard = performance.now();
  }

  /** Takes `value` when it is a heartbeat (and says so), learning the responder's interval. */
  beat(value: unknown): boolean {
    if ((value as { kind?: unknown } | null)?.kind !== 'heartbeat') return false;
    const parsed = StreamHeartbeat.safeParse(value);
    if (!parsed.success) return false;
    this.beatMs = parsed.data.intervalMs;
    this.heard();
    return true;
  }

  /** When the responder counts as gone: never before its first heartbeat. */
  get deadline(): number {
    return this.beatMs === undefined ? Infinity : this.lastHeard + this.beatMs * this.misses;
  }

  /** The error the caller fails with once the deadline passed (retryable: another replica may answer). */
  gone(contract: CommandContract): DomainError {
    const silentMs = Math.round(performance.now() - this.lastHeard);
    return new DomainError(
      'UPSTREAM_UNAVAILABLE',
      `${contract.service} stopped answering on ${contract.subject}: nothing for ${silentMs} ms although it sends a heartbeat every ${this.beatMs ?? 0} ms (the process died or lost its NATS connection)`,
      {
        retryable: true,
        details: { reason: 'responder-silent', service: contract.service, silentMs },
      },
    );
  }
}
