import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { CATALOGUE, type CommandContract, Headers } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';

/** Requests no handler can accept: not JSON; Nest's envelope around a number; a bare JSON number. */
const MALFORMED = [
  { kind: 'not JSON', body: () => '{"chaos": ' },
  {
    kind: 'not an object',
    body: (c: CommandContract) =>
      JSON.stringify({ id: randomUUID(), pattern: c.subject, data: 42 }),
  },
  { kind: 'outside the envelope', body: () => '42' },
] as const;

/** A prompt answer: well inside every command's own timeout, even on a busy machine. */
const ANSWER_WITHIN_MS = 5_000;

interface Outcome {
  subject: string;
  kind: string;
  /** What came back, in words, when it was not a VALIDATION error. */
  problem?: string;
}

/**
 * Sends malformed requests on every command subject of the contracts catalogue, as an admin (so that
 * nothing but the payload is wrong), all at once. Each must be answered promptly with a VALIDATION
 * error that says what is wrong. Returns the problems, grouped by kind of request and answer.
 */
export async function malformedRequests(natsUrl: string): Promise<string[]> {
  const nc = await connect({ servers: natsUrl, name: 'chaos-malformed' });
  // A command served only by a waiting replica (responder: waiter) has nobody to answer here; its
  // validation is push-inbox.spec.ts's, and malformed-commands.e2e-spec.ts checks nobody answers.
  const served = CATALOGUE.commands.filter((c) => c.responder !== 'waiter');
  try {
    const outcomes = await Promise.all(
      served.flatMap((c) => MALFORMED.map((m) => ask(nc, c, m.kind, m.body(c)))),
    );
    const groups = new Map<string, string[]>();
    for (const o of outcomes.filter((x) => x.problem)) {
      const key = `${o.kind}: ${o.problem}`;
      groups.set(key, [...(groups.get(key) ?? []), o.subject]);
    }
    const total = served.length;
    return [...groups.entries()].map(
      ([key, subjects]) =>
        `malformed request, ${key} on ${subjects.length} of ${total} subjects (${subjects.join(', ')})`,
    );
  } finally {
    await nc.close();
  }
}

async function ask(
  nc: NatsConnection,
  c: CommandContract,
  kind: string,
  body: string,
): Promise<Outcome> {
  const h = natsHeaders();
  h.set(Headers.userId, 'chaos-operator');
  h.set(Headers.userRole, 'admin');
  h.set(Headers.correlationId, randomUUID());
  const timeout = Math.min(c.timeoutMs, ANSWER_WITHIN_MS);
  // A subject with a placeholder on its no-task form (sb.cmd.tools.call._).
  const reply = await nc
    .request(c.subjectOf({}), body, { timeout, headers: h })
    .then((m) => m.string())
    .catch((e: unknown) => e as Error);
  if (reply instanceof Error)
    return {
      subject: c.subject,
      kind,
      problem: /timeout/i.test(reply.message)
        ? `no answer within ${timeout / 1000} s`
        : `request failed (${reply.message})`,
    };
  const error = errorOf(reply);
  if (error?.code !== 'VALIDATION')
    return {
      subject: c.subject,
      kind,
      problem: error
        ? `answered ${error.code ?? 'an error without a code'}, not VALIDATION`
        : 'answered as if valid',
    };
  if (!error.message) return { subject: c.subject, kind, problem: 'VALIDATION without a message' };
  return { subject: c.subject, kind };
}

/** The error of a reply: Nest's `{err}` packet, or the error part of a streamed reply. */
function errorOf(reply: string): { code?: string; message?: string } | undefined {
  try {
    const v = JSON.parse(reply) as {
      err?: { code?: string; message?: string } | string;
      kind?: string;
      error?: { code?: string; message?: string };
    };
    if (v.kind === 'error') return v.error ?? {};
    if (typeof v.err === 'string') return { message: v.err };
    if (v.err) return v.err;
    return undefined;
  } catch {
    return { message: 'an answer that is not JSON' };
  }
}
