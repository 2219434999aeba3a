import { DEMO_TASK } from '@switchboard/testing';

/** What a task of the load asks for: the demo task (calculator + note), or a delegation over XMPP. */
export type TaskKind = 'demo' | 'researcher' | 'writer';

/** A third of the load crosses XMPP: after two demo tasks, a delegation (researcher, then writer). */
const MIX: readonly TaskKind[] = ['demo', 'demo', 'researcher', 'demo', 'demo', 'writer'];
const TOPIC = 'NATS JetStream';

export interface Submission {
  /** 1-based, in the order sent. */
  n: number;
  /** Its own user, so that its side effects (notes, audit rows) are attributable. */
  user: string;
  kind: TaskKind;
  text: string;
  /** What its note must hold: the product (demo), or text naming the topic (delegations). */
  expectedNote: string;
  sentAt: number;
  answeredAt?: number;
  /** 202 with a task id; refused with an HTTP error; or the gateway could not be reached at all. */
  outcome: 'pending' | 'accepted' | 'refused' | 'unreachable';
  taskId?: string;
  httpStatus?: number;
  /** The error envelope's code, or the network error, when not accepted. */
  reason?: string;
}

/** The task a submission asks for: the demo task with its own numbers, or a delegation. */
export function taskFor(n: number): { kind: TaskKind; text: string; expectedNote: string } {
  const kind = MIX[(n - 1) % MIX.length] ?? 'demo';
  if (kind === 'researcher')
    return {
      kind,
      text: `ask the researcher about ${TOPIC}, then save the result as a note`,
      expectedNote: TOPIC,
    };
  if (kind === 'writer')
    return {
      kind,
      text: `have the writer draft a summary of ${TOPIC}, then save the result as a note`,
      expectedNote: TOPIC,
    };
  // The README's demo task, with numbers of its own so that each note is recognisable.
  const a = 11 + (n % 89);
  const b = 13 + (n % 83);
  return {
    kind,
    text: DEMO_TASK.replace('17 * 23', `${a} * ${b}`),
    expectedNote: String(a * b),
  };
}

/**
 * A steady stream of tasks through the gateway, as users send them: one `POST /orchestrate?async=true`
 * every `intervalMs`, each from a user of its own, whatever the previous ones are doing.
 */
export class LoadDriver {
  readonly submissions: Submission[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly gatewayUrl: () => string,
    private readonly opts: { users: string; intervalMs: number; requestTimeoutMs?: number },
  ) {}

  start(): void {
    this.send();
    this.timer = setInterval(() => this.send(), this.opts.intervalMs);
  }

  /** Stops sending and waits for the answers of the requests already sent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  get accepted(): Submission[] {
    return this.submissions.filter((s) => s.outcome === 'accepted');
  }

  private send(): void {
    const n = this.submissions.length + 1;
    const { kind, text, expectedNote } = taskFor(n);
    const s: Submission = {
      n,
      user: `${this.opts.users}-${n}`,
      kind,
      text,
      expectedNote,
      sentAt: Date.now(),
      outcome: 'pending',
    };
    this.submissions.push(s);
    const p = this.submit(s).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async submit(s: Submission): Promise<void> {
    try {
      const r = await fetch(`${this.gatewayUrl()}/orchestrate?async=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': s.user },
        body: JSON.stringify({ task: s.text }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
      });
      s.httpStatus = r.status;
      const body = (await r.json().catch(() => ({}))) as { task_id?: string; code?: string };
      if (r.status === 202 && body.task_id) {
        s.outcome = 'accepted';
        s.taskId = body.task_id;
      } else {
        s.outcome = 'refused';
        s.reason = body.code ?? `HTTP ${r.status}`;
      }
    } catch (e) {
      s.outcome = 'unreachable';
      s.reason = networkReason(e);
    } finally {
      s.answeredAt = Date.now();
    }
  }
}

/** A fetch failure in a few words: the socket error's code (ECONNREFUSED…) or a timeout. */
function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return 'no answer in time';
  return err.cause?.code ?? (e as Error).message;
}
