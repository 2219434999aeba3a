import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@switchboard/config';
import { isAllowedJid, resolveBridgeSettings } from './bridge-settings.js';
import { parseServiceMap } from '@switchboard/config';
import { XmppBridgeEnv } from './xmpp-bridge.env.js';

const load = (env: Record<string, string>) => loadConfig('xmpp-bridge', XmppBridgeEnv, env);
const problems = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
};
const BASE = { AZTM_JID: 'bridge@agents.example', AZTM_PASSWORD: 's3cret-pw' };

describe('xmpp-bridge configuration', () => {
  it('derives host, port and TLS from the JID with AZTM defaults', () => {
    const s = resolveBridgeSettings(load(BASE));
    expect(s.xmpp).toMatchObject({
      bare: 'bridge@agents.example',
      domain: 'agents.example',
      host: 'agents.example',
      port: 5222,
      tls: 'starttls',
      timeoutMs: 30_000,
      validateCert: true,
    });
    expect(s.xmpp.resource).toMatch(/^switchboard-[0-9a-f]{8}$/);
    // Nobody is allowed to call in until named: server mode is asked for (AZTM's default) but idle.
    expect(s.allowedJids).toEqual([]);
    expect(s.serverMode).toBe(false);
    expect(s.serverModeIdle).toBe(true);
    expect(s.natsCommands).toBe(true);
    expect(s.maxBodyBytes).toBe(8 * 1024 * 1024);
    expect(s.maxBodyBytesSet).toBe(false);
    // TCP connect: its own deadline, a third of the login's, at most 5 s.
    expect(s.xmpp.connectTimeoutMs).toBe(5_000);
    expect(
      resolveBridgeSettings(load({ ...BASE, AZTM_XMPP_TIMEOUT: '6' })).xmpp.connectTimeoutMs,
    ).toBe(2_000);
    expect(
      resolveBridgeSettings(
        load({ ...BASE, AZTM_XMPP_TIMEOUT: '2', XMPP_BRIDGE_CONNECT_TIMEOUT_MS: '9000' }),
      ).xmpp.connectTimeoutMs,
    ).toBe(2_000);
  });

  it('serves in server mode only the JIDs named, through a unix socket when one is given', () => {
    const s = resolveBridgeSettings(
      load({
        ...BASE,
        XMPP_BRIDGE_ALLOWED_JIDS: 'platform@agents.example',
        XMPP_BRIDGE_HTTP_TARGET: 'http://agent.local/base',
        XMPP_BRIDGE_HTTP_TARGET_SOCKET: '/run/agent/a2a.sock',
      }),
    );
    expect(s).toMatchObject({
      serverMode: true,
      serverModeIdle: false,
      allowedJids: ['platform@agents.example'],
      httpTargetSocket: '/run/agent/a2a.sock',
    });
    expect(problems({ ...BASE, XMPP_BRIDGE_HTTP_TARGET_SOCKET: `/${'x'.repeat(120)}` })).toMatch(
      /XMPP_BRIDGE_HTTP_TARGET_SOCKET: a unix socket path has at most 107 bytes/,
    );
  });

  it('uses the legacy XMPP_* settings only when the AZTM_* ones are unset', () => {
    const legacy = resolveBridgeSettings(
      load({ ...BASE, XMPP_HOST: 'xmpp.internal', XMPP_PORT: '5223' }),
    );
    expect(legacy.xmpp).toMatchObject({ host: 'xmpp.internal', port: 5223, tls: 'direct' });
    expect(legacy.xmpp.sources).toMatchObject({ host: 'XMPP_HOST', port: 'XMPP_PORT' });
    const both = resolveBridgeSettings(
      load({
        ...BASE,
        XMPP_HOST: 'old',
        AZTM_HOST: 'new.example',
        XMPP_PORT: '1',
        AZTM_PORT: '15222',
      }),
    );
    expect(both.xmpp).toMatchObject({ host: 'new.example', port: 15222, tls: 'starttls' });
  });

  it('accepts AZTM_USERID with AZTM_DOMAIN (or XMPP_DOMAIN), and a resource in AZTM_JID', () => {
    expect(
      resolveBridgeSettings(
        load({ AZTM_USERID: 'agent', AZTM_DOMAIN: 'agents.example', AZTM_PASSWORD: 'x' }),
      ).xmpp.bare,
    ).toBe('agent@agents.example');
    expect(
      resolveBridgeSettings(
        load({ AZTM_USERID: 'agent', XMPP_DOMAIN: 'legacy.example', AZTM_PASSWORD: 'x' }),
      ).xmpp.bare,
    ).toBe('agent@legacy.example');
    expect(
      resolveBridgeSettings(load({ ...BASE, AZTM_JID: 'bridge@agents.example/r1' })).xmpp.resource,
    ).toBe('r1');
  });

  it('turns server mode off from the environment or with --no-server-mode', () => {
    const allowed = { ...BASE, XMPP_BRIDGE_ALLOWED_JIDS: 'platform@agents.example' };
    expect(resolveBridgeSettings(load(allowed)).serverMode).toBe(true);
    const off = resolveBridgeSettings(load({ ...allowed, AZTM_SERVER_MODE: 'false' }));
    expect(off).toMatchObject({ serverMode: false, serverModeIdle: false });
    expect(resolveBridgeSettings(load(allowed), ['--no-server-mode']).serverMode).toBe(false);
  });

  it('refuses a missing or malformed identity, naming the setting, and never echoes the password', () => {
    expect(problems({ AZTM_PASSWORD: 'hunter2' })).toMatch(/AZTM_JID: set AZTM_JID/);
    expect(problems({ AZTM_USERID: 'agent', AZTM_PASSWORD: 'x' })).toMatch(
      /AZTM_USERID: "agent" has no domain/,
    );
    expect(problems({ ...BASE, AZTM_JID: 'a b@agents.example' })).toMatch(
      /AZTM_JID: .*invalid local part/,
    );
    expect(problems({ ...BASE, AZTM_DOMAIN: 'other.example' })).toMatch(
      /AZTM_DOMAIN: "other.example" differs/,
    );
    const missing = problems({ AZTM_JID: 'bridge@agents.example' });
    expect(missing).toMatch(/AZTM_PASSWORD/);
    const bad = problems({
      ...BASE,
      AZTM_TLS: 'maybe',
      AZTM_PORT: '99999',
      AZTM_XMPP_TIMEOUT: '-1',
    });
    expect(bad).toMatch(/AZTM_TLS/);
    expect(bad).toMatch(/AZTM_PORT/);
    expect(bad).toMatch(/AZTM_XMPP_TIMEOUT/);
    expect(bad).not.toContain('s3cret-pw');
  });

  it('maps Python log level names', () => {
    expect(resolveBridgeSettings(load({ ...BASE, AZTM_LOG_LEVEL: 'WARNING' })).xmppLogLevel).toBe(
      'warn',
    );
    expect(problems({ ...BASE, AZTM_LOG_LEVEL: 'LOUD' })).toMatch(/AZTM_LOG_LEVEL: must be DEBUG/);
  });

  it('parses SERVICE_MAP as JSON or host=jid pairs, without letting its peers call in', () => {
    const json = resolveBridgeSettings(
      load({ ...BASE, SERVICE_MAP: '{"Researcher.Example.run.app":"researcher@agents.example"}' }),
    );
    expect([...json.serviceMap]).toEqual([
      ['researcher.example.run.app', 'researcher@agents.example'],
    ]);
    // Whom the bridge calls is not who may call it (a platform bridge would hand them the gateway).
    expect(json.allowedJids).toEqual([]);
    expect(json.serverMode).toBe(false);
    const pairs = resolveBridgeSettings(
      load({ ...BASE, SERVICE_MAP: 'a.example=a@x.example, b.example:8080=b@x.example/res' }),
    );
    expect([...pairs.serviceMap]).toEqual([
      ['a.example', 'a@x.example'],
      ['b.example:8080', 'b@x.example/res'],
    ]);
    expect(problems({ ...BASE, SERVICE_MAP: 'a.example=not a jid' })).toMatch(
      /SERVICE_MAP: the JID of "a.example"/,
    );
  });

  it('checks allowed JIDs, exactly or by *@domain', () => {
    const s = resolveBridgeSettings(
      load({ ...BASE, XMPP_BRIDGE_ALLOWED_JIDS: 'Platform@Agents.example,*@trusted.example' }),
    );
    expect(isAllowedJid(s.allowedJids, 'platform@agents.example')).toBe(true);
    expect(isAllowedJid(s.allowedJids, 'anyone@trusted.example')).toBe(true);
    expect(isAllowedJid(s.allowedJids, 'mallory@agents.example')).toBe(false);
    expect(problems({ ...BASE, XMPP_BRIDGE_ALLOWED_JIDS: 'a@b.example/res' })).toMatch(
      /must be a bare JID/,
    );
  });

  it('refuses a CA file that does not exist and inconsistent reconnect delays', () => {
    expect(problems({ ...BASE, XMPP_BRIDGE_CA_FILE: '/nonexistent/ca.pem' })).toMatch(
      /XMPP_BRIDGE_CA_FILE: no such file/,
    );
    expect(
      problems({
        ...BASE,
        XMPP_BRIDGE_RECONNECT_INITIAL_MS: '5000',
        XMPP_BRIDGE_RECONNECT_MAX_MS: '1000',
      }),
    ).toMatch(/XMPP_BRIDGE_RECONNECT_MAX_MS/);
  });
});

describe(parseServiceMap.name, () => {
  it('reports every bad entry', () => {
    const r = parseServiceMap(
      '{"ok.example":"a@b.example","bad host!":"a@b.example","x.example":42}',
    );
    expect('problems' in r && r.problems).toEqual([
      '"bad host!" is not a host name (expected e.g. researcher.example.run.app)',
      'the JID of "x.example" must be a string',
    ]);
    expect(parseServiceMap('[1]')).toEqual({ problems: ['must be a JSON object of host → JID'] });
    expect(parseServiceMap('a.example')).toEqual({
      problems: ['entry "a.example" is not host=jid'],
    });
    expect(parseServiceMap('a.example=a@x.example,A.example=b@x.example')).toEqual({
      problems: ['"a.example" is mapped twice'],
    });
    expect(parseServiceMap('  ')).toEqual({ map: new Map() });
  });
});
