import type { LiveStatus } from '@switchboard/client';

/**
 * What a Live viewer sees, as GET /live says it in its `ready` event (and in `status` events when it
 * changes): the NATS identity the gateway reads the traffic as, the subject patterns it watches, and
 * those NATS refused it, with the server's reason.
 */
export type { LiveStatus };

/** The status in a `ready` or `status` event's data, or undefined when it is not one. */
export function liveStatusOf(v: unknown): LiveStatus | undefined {
  const s = (typeof v === 'object' ? v : null) as Partial<LiveStatus> | null;
  if (!s || (s.identity !== 'live' && s.identity !== 'gateway')) return undefined;
  const watching = Array.isArray(s.watching) ? s.watching.filter((p) => typeof p === 'string') : [];
  const refused = Array.isArray(s.refused)
    ? s.refused.filter(
        (r): r is LiveStatus['refused'][number] =>
          typeof r?.pattern === 'string' && typeof r.reason === 'string',
      )
    : [];
  return { identity: s.identity, watching, refused };
}

const DOCS = 'docs/operations.md#nats-identities';

/**
 * What to do about a refusal. Read as the gateway's own identity, the traffic needs the `live` one
 * (LIVE_NATS_*); read as `live`, the server's permissions for it are older than the platform's.
 */
export function refusalAdvice(identity: LiveStatus['identity']): string {
  return identity === 'gateway'
    ? `give the gateway the live identity, ${DOCS}`
    : `the server's permissions for the live identity lack it: apply the platform's nats-identities.conf, ${DOCS}`;
}

/** The server's reason, short when it only repeats the pattern ("permissions violation"). */
function reasonWords(r: LiveStatus['refused'][number]): string {
  const m = /^permissions violation for subscription to "?([^"]*)"?$/i.exec(r.reason.trim());
  return m && m[1] === r.pattern ? 'permissions violation' : r.reason;
}

/** One line per subject pattern the viewer cannot see, and why. */
export function refusalLines(status: LiveStatus): string[] {
  return status.refused.map(
    (r) => `Not visible: ${r.pattern} — NATS refused it (${reasonWords(r)})`,
  );
}
