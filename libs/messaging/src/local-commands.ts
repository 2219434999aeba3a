import type { MsgHdrs } from '@nats-io/transport-node';

/** What a command handler answered: Nest's reply packet without its id (see CommandServer). */
export type ReplyBody = { response: unknown } | { err: unknown };

/** A command server of this process, serving a request handed to it without NATS. */
export interface LocalResponder {
  /**
   * Serves one request received on `subject` (which `pattern`, one of its handlers' subscriptions,
   * takes) exactly as a NATS request: the same handler, validation, meta (from `headers`, the reply's
   * identity from `reply`), metrics and logs; counted among the requests a drain waits for.
   */
  serveLocal(
    pattern: string,
    subject: string,
    data: unknown,
    headers: MsgHdrs,
    reply: string,
  ): Promise<ReplyBody>;
}

/**
 * The command handlers of the services one process runs, by the pattern each subscribes to — the
 * in-process bus of a cell. Off unless the process turns it on (apps/cell does, before its services
 * start): a service run on its own, a test or a tool keeps every request on NATS. A server registers
 * its handlers when it starts listening and withdraws them when it starts draining, so a request
 * meant for a service that is stopping goes over NATS to a replica elsewhere.
 */
export class LocalCommands {
  private on = false;
  private readonly byPattern = new Map<string, LocalResponder[]>();

  /** Turns the in-process bus on for this process. */
  enable(): void {
    this.on = true;
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Offers `patterns` of `responder` to callers in this process; the result withdraws them. */
  register(patterns: readonly string[], responder: LocalResponder): () => void {
    if (!this.on) return () => undefined;
    for (const p of patterns) this.byPattern.set(p, [...(this.byPattern.get(p) ?? []), responder]);
    return () => {
      for (const p of patterns) {
        const left = (this.byPattern.get(p) ?? []).filter((r) => r !== responder);
        if (left.length) this.byPattern.set(p, left);
        else this.byPattern.delete(p);
      }
    };
  }

  /** The responder in this process that serves `pattern` (a command's), if any. */
  responderFor(pattern: string): LocalResponder | undefined {
    return this.on ? this.byPattern.get(pattern)?.[0] : undefined;
  }
}

const KEY = Symbol.for('switchboard.local-commands');

/**
 * The process' one registry — kept on the global object, so that a copy of this library loaded twice
 * (an ES and a CommonJS build side by side) still finds the same handlers.
 */
export const localCommands: LocalCommands = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  new LocalCommands()) as LocalCommands;
