import { z } from 'zod';

/** The shortest and longest heartbeat interval a responder announces or a caller may ask for. */
export const HEARTBEAT_INTERVAL_MS = { min: 100, max: 60_000 } as const;

/**
 * Liveness of streamed exchanges. A responder that answers a request in several messages (a
 * `reply: 'stream'` command) or publishes progress while it works (a delegation) also sends a
 * heartbeat every `intervalMs` for as long as the work is in progress, announcing that interval. The
 * caller tells a peer that is merely silent (an agent thinking) from a responder that is gone (its
 * process killed): once it has heard a heartbeat, silence over STREAM_HEARTBEAT_MISSES intervals
 * means the responder is gone, and the caller fails at once instead of waiting for its timeout.
 */
export const StreamHeartbeat = z
  .object({
    kind: z.literal('heartbeat'),
    /** How often the responder sends one: the caller's limit is a few of these. */
    intervalMs: z.number().int().min(HEARTBEAT_INTERVAL_MS.min).max(HEARTBEAT_INTERVAL_MS.max),
  })
  .strict();
export type StreamHeartbeat = z.infer<typeof StreamHeartbeat>;

/** Heartbeats a caller may miss before it takes the responder for gone. */
export const STREAM_HEARTBEAT_MISSES = 3;

/** Whether a decoded message is a heartbeat (of any stream). */
export function isHeartbeat(value: unknown): value is StreamHeartbeat {
  return StreamHeartbeat.safeParse(value).success;
}

/**
 * How often the responder of a `liveness: 'heartbeat'` command beats while it works, unless its caller
 * asks for another interval (the `x-sb-heartbeat-interval` header; a service's NATS_COMMAND_HEARTBEAT_MS).
 * Its first beat comes after one interval (a quick answer costs none), so the caller counts the misses
 * from the moment it sent the request.
 */
export const COMMAND_HEARTBEAT_MS = 2_000;

/**
 * How long the caller of a streamed request waits for a first sign of the responder (a heartbeat or a
 * part) once its NATS connection is back, when it dropped before the responder said anything. A
 * responder beats as soon as it takes a request and then every interval (the platform bridge's
 * default is 2 s), so silence past this means the request went down with the connection: the caller
 * fails it as a lost connection (retryable) instead of waiting for the response head's timeout.
 */
export const STREAM_LOST_GRACE_MS = STREAM_HEARTBEAT_MISSES * COMMAND_HEARTBEAT_MS;
