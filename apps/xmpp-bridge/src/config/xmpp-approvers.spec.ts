import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@switchboard/config';
import { resolveBridgeSettings } from './bridge-settings.js';
import { XmppBridgeEnv } from './xmpp-bridge.env.js';

const BASE = { AZTM_JID: 'bridge@agents.example', AZTM_PASSWORD: 's3cret-pw' };
const load = (XMPP_APPROVERS: string, more: Record<string, string> = {}) =>
  resolveBridgeSettings(
    loadConfig('xmpp-bridge', XmppBridgeEnv, { ...BASE, XMPP_APPROVERS, ...more }),
  ).approvers;
const problems = (XMPP_APPROVERS: string, more: Record<string, string> = {}): string => {
  try {
    load(XMPP_APPROVERS, more);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('XMPP_APPROVERS', () => {
  it('is off when unset or empty', () => {
    expect(resolveBridgeSettings(loadConfig('xmpp-bridge', XmppBridgeEnv, BASE)).approvers).toEqual(
      [],
    );
    expect(load('  ')).toEqual([]);
  });

  it('maps a role to JIDs that decide as xmpp:<jid> with the role, a user to the user', () => {
    expect(load('role:admin=Alice@Example.org|bob@example.org; user:ann=ann@example.org')).toEqual([
      {
        jid: 'alice@example.org',
        key: 'role:admin',
        kind: 'role',
        name: 'admin',
        actor: { userId: 'xmpp:alice@example.org', role: 'admin' },
      },
      {
        jid: 'bob@example.org',
        key: 'role:admin',
        kind: 'role',
        name: 'admin',
        actor: { userId: 'xmpp:bob@example.org', role: 'admin' },
      },
      {
        jid: 'ann@example.org',
        key: 'user:ann',
        kind: 'user',
        name: 'ann',
        actor: { userId: 'ann', role: 'user' },
      },
    ]);
  });

  it('takes JSON with a JID or a list of JIDs per key', () => {
    const approvers = load('{"role:finance":["fin@example.org"],"user:ann":"ann@example.org"}');
    expect(approvers.map((a) => [a.key, a.jid, a.actor.userId, a.actor.role])).toEqual([
      ['role:finance', 'fin@example.org', 'xmpp:fin@example.org', 'finance'],
      ['user:ann', 'ann@example.org', 'ann', 'user'],
    ]);
  });

  it('names the variable and the reason for each mistake', () => {
    expect(problems('admin=alice@example.org')).toMatch(
      /XMPP_APPROVERS.*"admin" must be role:<role> or user:<userId>/,
    );
    expect(problems('role:Admin!=alice@example.org')).toMatch(/XMPP_APPROVERS.*role:Admin!/);
    expect(problems('role:admin=alice@example.org/phone')).toMatch(/must be a bare JID/);
    expect(problems('role:admin=not a jid')).toMatch(/XMPP_APPROVERS.*role:admin/);
    expect(problems('role:admin')).toMatch(/is not key=jid/);
    expect(problems('role:admin=')).toMatch(/role:admin: names no JID/);
    expect(problems('{"role:admin":')).toMatch(/XMPP_APPROVERS.*not valid JSON/);
    expect(problems('{"role:admin":5}')).toMatch(/XMPP_APPROVERS.*JSON object/);
    expect(problems('role:admin=a@example.org;role:ops=a@example.org')).toMatch(
      /a@example.org is listed under role:admin and role:ops/,
    );
    expect(problems('role:admin=bridge@agents.example')).toMatch(/bridge's own JID/);
    expect(problems('role:admin=a@example.org', { XMPP_BRIDGE_NATS_COMMANDS: 'false' })).toMatch(
      /XMPP_APPROVERS.*needs XMPP_BRIDGE_NATS_COMMANDS/,
    );
  });

  it('counts a JID listed twice under one key once', () => {
    expect(load('role:admin=a@example.org|A@example.org').map((a) => a.jid)).toEqual([
      'a@example.org',
    ]);
  });
});
