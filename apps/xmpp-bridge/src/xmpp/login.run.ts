// One login attempt's bookkeeping, shared by every phase: the current phase and its report, the one
// deadline every wait races, the end of the socket (which fails the wait at once), and the first
// failure, classified into a LoginCause for the diagnosis.
import type { Xmpp } from '@switchboard/contracts';
import { xml, type Element } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { type LoginCause, type LoginStep, LoginStepError } from './login.errors.js';
import { type BridgeClient, isTlsRecord, NotXmppAnswerError } from './bridge.client.js';
import { NS } from './xmpp.namespaces.js';

type LoginPhase = Xmpp.LoginPhase;

function causeOf(e: unknown): LoginCause {
  if (e instanceof LoginStepError) return e.detail;
  if (e instanceof NotXmppAnswerError) return { type: 'not-xmpp', firstBytes: e.firstBytes };
  const err = e as Error & { code?: string; condition?: string; text?: string; element?: Element };
  if (err?.name === 'StreamError' && err.condition) {
    const other =
      err.condition === 'see-other-host'
        ? (err.element?.getChildText('see-other-host') ?? undefined)
        : undefined;
    return {
      type: 'stream-error',
      error: { condition: err.condition, ...(err.text ? { text: err.text } : {}) },
      ...(other ? { seeOtherHost: other } : {}),
    };
  }
  if (err?.name === 'XMLError') return { type: 'xml', message: err.message };
  if (err?.name === 'TimeoutError') return { type: 'timeout', ms: 0 };
  return {
    type: 'socket',
    ...(err?.code ? { code: err.code } : {}),
    message: err?.message ?? String(e),
  };
}

/** One login attempt's bookkeeping: the phase, the report, the deadline and the end of the socket. */
export class LoginRun {
  readonly steps: LoginStep[] = [];
  phase: LoginPhase = 'resolve';
  private phaseStarted = performance.now();
  private readonly started = performance.now();
  private readonly deadline: number;
  private abort: ((e: unknown) => void) | undefined;
  private failed: unknown;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly client: BridgeClient,
    private readonly timeoutMs: number,
    private readonly hooks: { onPhase?(phase: LoginPhase): void },
  ) {
    this.deadline = this.started + timeoutMs;
    const onError = (e: unknown) => this.fail(e);
    const onDisconnect = () =>
      this.fail(
        new LoginStepError(this.phase, {
          type: 'closed',
          bytesReceived: client.bytesReceived,
          tlsRecord: isTlsRecord(client.firstBytes),
          // What a server that closed before any stream header said (an HTML error page…).
          ...(client.firstBytes && !client.streamOpened ? { firstBytes: client.firstBytes } : {}),
        }),
      );
    client.on('error', onError);
    client.on('disconnect', onDisconnect);
    this.cleanups.push(() => {
      client.off('error', onError);
      client.off('disconnect', onDisconnect);
    });
  }

  get elapsedMs(): number {
    return performance.now() - this.started;
  }

  enter(phase: LoginPhase): void {
    this.phase = phase;
    this.phaseStarted = performance.now();
    this.hooks.onPhase?.(phase);
  }

  done(detail: string): void {
    this.steps.push({
      phase: this.phase,
      ok: true,
      ms: Math.round(performance.now() - this.phaseStarted),
      detail,
    });
  }

  private fail(e: unknown): void {
    // The first failure wins: a stream error is usually followed by the socket closing.
    if (this.failed === undefined) this.failed = e;
    this.abort?.(this.failed);
  }

  /**
   * Waits for `promise`, unless the deadline passes or the connection fails first. `limitMs` is a
   * tighter deadline of its own for this wait (the TCP connect), reported as its timeout.
   */
  async wait<T>(promise: Promise<T>, limitMs?: number): Promise<T> {
    promise.catch(() => undefined);
    if (this.failed !== undefined) throw this.failed;
    const now = performance.now();
    const own = limitMs !== undefined && limitMs < this.deadline - now;
    const limit = own ? (limitMs as number) : this.timeoutMs;
    const end = own ? now + limit : this.deadline;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        this.abort = reject;
        // A timer can fire up to a millisecond before its fractional delay has passed (libuv counts
        // whole milliseconds): one that comes early waits out the rest, so the deadline is never
        // reported before it passed.
        const expire = (): void => {
          const left = end - performance.now();
          if (left > 0) timer = setTimeout(expire, Math.ceil(left));
          else reject(new LoginStepError(this.phase, { type: 'timeout', ms: limit }));
        };
        timer = setTimeout(expire, Math.ceil(Math.max(0, end - performance.now())));
        promise.then(resolve, reject);
      });
    } finally {
      clearTimeout(timer);
      this.abort = undefined;
    }
  }

  /** The next element from the server that matches, registered before whatever provokes it. */
  next(match: (el: Element) => boolean): Promise<Element> {
    let resolve: (el: Element) => void = () => undefined;
    const p = new Promise<Element>((r) => (resolve = r));
    const listener = (el: Element) => {
      if (!match(el)) return;
      this.client.off('element', listener);
      resolve(el);
    };
    this.client.on('element', listener);
    this.cleanups.push(() => this.client.off('element', listener));
    return p;
  }

  async iq(payload: Element, type: 'get' | 'set', to?: string): Promise<Element> {
    const id = randomUUID();
    const reply = this.next(
      (el) =>
        el.name === 'iq' &&
        el.attrs['id'] === id &&
        (el.attrs['type'] === 'result' || el.attrs['type'] === 'error'),
    );
    await this.wait(
      this.client.sendElement(xml('iq', { type, id, ...(to ? { to } : {}) }, payload)),
    );
    return this.wait(reply);
  }

  failure(e: unknown): LoginStepError {
    const first = this.failed ?? e;
    if (first instanceof LoginStepError) return first;
    return new LoginStepError(this.phase, causeOf(first));
  }

  cleanup(): void {
    for (const c of this.cleanups.splice(0)) c();
  }
}

/**
 * Opens (or restarts) the stream and returns its features. xmpp.js' open() starts listening for the
 * server's header only after its write callback, which a fast server can beat (the header is then
 * missed and open() times out): we wait for the features instead, registered before anything is sent.
 */
export async function openStream(run: LoginRun, domain: string, restart = false): Promise<Element> {
  const features = run.next(
    (el) => el.name === 'stream:features' || (el.name === 'features' && el.getNS() === NS.stream),
  );
  const opened = restart ? run.client.restart() : run.client.open({ domain });
  opened.catch(() => undefined);
  return run.wait(features);
}
