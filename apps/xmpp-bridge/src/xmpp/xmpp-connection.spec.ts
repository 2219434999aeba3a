import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@switchboard/observability';
import { EventEmitter } from 'node:events';
import type { XmppSettings } from '../config/bridge-settings.js';
import { LoginFailedError } from './login.errors.js';
import type { login, LoginHooks, LoginResult } from './login.procedure.js';
import type { BridgeClient } from './bridge.client.js';
import { XmppConnection } from './xmpp-connection.js';

const INITIAL_MS = 100;
const MAX_MS = 5_000;
const SETTINGS: XmppSettings = {
  jid: { local: 'bridge', domain: 'x.example', resource: 'r' },
  bare: 'bridge@x.example',
  password: 'pw',
  domain: 'x.example',
  host: '127.0.0.1',
  port: 5222,
  tls: 'starttls',
  sources: { host: 'test', port: 'test', domain: 'test', tls: 'test' },
  validateCert: true,
  timeoutMs: 10_000,
  connectTimeoutMs: 3_000,
  resource: 'r',
  keepaliveMs: 0,
  reconnect: { initialMs: INITIAL_MS, maxMs: MAX_MS },
};
const logger = createLogger({ service: 'test', instance: 't', level: 'silent', pretty: false });

/** A logged-in client as far as the connection can tell: events, and nothing on the wire. */
class FakeClient extends EventEmitter {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  sendElement(): Promise<void> {
    return Promise.resolve();
  }
}

const refused = () =>
  new LoginFailedError(
    {
      phase: 'connect',
      kind: 'connection-refused',
      said: 'ECONNREFUSED',
      hint: 'nothing listens',
      elapsedMs: 1,
      line: 'XMPP login of bridge@x.example failed in phase connect after 1 ms: ECONNREFUSED',
    },
    [],
  );

/** Logs in when `up()` says so, fails otherwise; records when each attempt started (fake clock). */
function scriptedLogin(up: () => boolean, advertisedStanzaLimit?: number) {
  const attempts: number[] = [];
  let client: FakeClient | undefined;
  const fn = async (
    _s: XmppSettings,
    _k: unknown,
    hooks: LoginHooks = {},
  ): Promise<LoginResult> => {
    attempts.push(Date.now());
    if (!up()) throw refused();
    client = new FakeClient();
    hooks.beforePresence?.(client as unknown as BridgeClient, 'bridge@x.example/r');
    return {
      client: client as unknown as BridgeClient,
      boundJid: 'bridge@x.example/r',
      mechanism: 'SCRAM-SHA-1',
      ...(advertisedStanzaLimit ? { advertisedStanzaLimit } : {}),
      steps: [],
      elapsedMs: 1,
    };
  };
  return { fn: fn as unknown as typeof login, attempts, drop: () => client?.emit('disconnect') };
}

/** Deterministic "random" numbers (a small LCG), so a jittered schedule can be replayed. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Drops an online session and lets `n` reconnect attempts fail; returns the delays between them. */
async function failingSchedule(n: number): Promise<number[]> {
  const server = { up: true };
  const script = scriptedLogin(() => server.up);
  const sut = new XmppConnection(SETTINGS, logger, {}, script.fn);
  await sut.start();
  server.up = false;
  const lostAt = Date.now();
  script.drop();
  for (let i = 0; i < n; i++) await jest.advanceTimersToNextTimerAsync();
  await sut.stop();
  const times = [lostAt, ...script.attempts.slice(1)];
  return times.slice(1).map((t, i) => t - (times[i] ?? 0));
}

describe(`${XmppConnection.name} reconnect scheduling`, () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('doubles the delay per failed attempt (jitter held still) up to the cap, never beyond', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const delays = await failingSchedule(12);
    expect(delays).toHaveLength(12);
    expect(delays[0]).toBeGreaterThan(0);
    expect(delays[0]).toBeLessThanOrEqual(1.5 * INITIAL_MS);
    const capped = delays.findIndex((d) => d === MAX_MS);
    expect(capped).toBeGreaterThan(3);
    for (let i = 2; i < capped; i++) {
      const growth = (delays[i] ?? 0) / (delays[i - 1] ?? 1);
      expect(growth).toBeGreaterThan(1.8);
      expect(growth).toBeLessThan(2.2);
    }
    expect(delays.slice(capped)).toEqual(Array(12 - capped).fill(MAX_MS));
  });

  it('jitters each delay, yet the total wait grows exponentially and each delay stays within the cap', async () => {
    const schedules: number[][] = [];
    for (const seed of [1, 7, 42, 1234]) {
      jest.spyOn(Math, 'random').mockImplementation(seeded(seed));
      const delays = await failingSchedule(14);
      jest.restoreAllMocks();
      schedules.push(delays);
      for (const d of delays) {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(MAX_MS);
      }
      // Before the cap, the time since the loss up to attempt k is ~0.7 × initial × 2^k.
      let total = 0;
      for (let k = 1; k <= delays.length && (delays[k - 1] ?? MAX_MS) < MAX_MS; k++) {
        total += delays[k - 1] ?? 0;
        if (k < 2) continue;
        expect(total).toBeGreaterThanOrEqual(0.65 * INITIAL_MS * 2 ** (k - 1));
        expect(total).toBeLessThanOrEqual(0.75 * INITIAL_MS * 2 ** k);
      }
      expect(delays.slice(-3)).toEqual([MAX_MS, MAX_MS, MAX_MS]);
    }
    // Bridges that lost the same server do not come back in lockstep.
    const firstFour = schedules.map((d) => d.slice(0, 4).join(','));
    expect(new Set(firstFour).size).toBe(schedules.length);
  });

  it('waits the whole delay before an attempt, and starts from the initial delay again after a login', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const server = { up: true };
    const script = scriptedLogin(() => server.up);
    const sut = new XmppConnection(SETTINGS, logger, {}, script.fn);
    await sut.start();

    server.up = false;
    script.drop();
    expect(sut.status().state).toBe('reconnecting');
    for (let i = 0; i < 5; i++) await jest.advanceTimersToNextTimerAsync();
    expect(script.attempts).toHaveLength(6);
    expect(sut.status().attempts).toBe(5);

    // The sixth delay (~1.6 s): nothing happens a millisecond before it ends.
    server.up = true;
    const before = script.attempts.length;
    const last = script.attempts[script.attempts.length - 1] ?? 0;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(script.attempts).toHaveLength(before);
    await jest.advanceTimersToNextTimerAsync();
    expect(script.attempts).toHaveLength(before + 1);
    expect((script.attempts[before] ?? 0) - last).toBeGreaterThan(1_500);
    expect(sut.status()).toMatchObject({ state: 'online', attempts: 0 });

    // A new outage starts over: the first delay again, not the grown one.
    const lostAt = Date.now();
    script.drop();
    server.up = false;
    await jest.advanceTimersToNextTimerAsync();
    expect((script.attempts[before + 1] ?? 0) - lostAt).toBeLessThanOrEqual(1.5 * INITIAL_MS);
    await sut.stop();
  });
});

describe(`${XmppConnection.name} stanza limit`, () => {
  it('takes the limit the server advertises (XEP-0478), else the configured one, and reports which', async () => {
    const advertised = new XmppConnection(
      { ...SETTINGS, stanzaLimitBytes: 100_000 },
      logger,
      {},
      scriptedLogin(() => true, 4_194_304).fn,
    );
    await advertised.start();
    expect(advertised.status().stanzaLimit).toEqual({ bytes: 4_194_304, source: 'advertised' });
    await advertised.stop();

    const configured = new XmppConnection(
      { ...SETTINGS, stanzaLimitBytes: 100_000 },
      logger,
      {},
      scriptedLogin(() => true).fn,
    );
    await configured.start();
    expect(configured.stanzaLimit).toEqual({ bytes: 100_000, source: 'configured' });
    await configured.stop();
  });
});
