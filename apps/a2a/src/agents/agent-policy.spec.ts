import { mayUseAgent, parseAgentPolicy } from './agent-policy.js';

describe(parseAgentPolicy.name, () => {
  it('reads the compact and the JSON form', () => {
    const compact = parseAgentPolicy(
      'user=researcher|writer; guest=researcher; user:alice=*; *=researcher',
    );
    const json = parseAgentPolicy(
      '{"user":["researcher","writer"],"guest":["researcher"],"user:alice":"*","*":["researcher"]}',
    );
    for (const policy of [compact, json]) {
      expect(mayUseAgent(policy, { userId: 'bob', role: 'user' }, 'writer')).toBe(true);
      expect(mayUseAgent(policy, { userId: 'bob', role: 'guest' }, 'writer')).toBe(false);
      expect(mayUseAgent(policy, { userId: 'alice', role: 'guest' }, 'writer')).toBe(true);
      expect(mayUseAgent(policy, { userId: 'carol', role: 'intern' }, 'researcher')).toBe(true);
      expect(mayUseAgent(policy, { userId: 'carol', role: 'intern' }, 'writer')).toBe(false);
      expect(mayUseAgent(policy, { userId: 'root', role: 'admin' }, 'anything')).toBe(true);
    }
  });

  it('denies everything to a role that is not listed when there is no * entry', () => {
    const policy = parseAgentPolicy('user=researcher');
    expect(mayUseAgent(policy, { userId: 'x', role: 'guest' }, 'researcher')).toBe(false);
    expect(mayUseAgent(parseAgentPolicy(''), { userId: 'x', role: 'user' }, 'researcher')).toBe(
      false,
    );
  });

  it('names the bad entry', () => {
    expect(() => parseAgentPolicy('user')).toThrow(/"user" must be role=agent/);
    expect(() => parseAgentPolicy('User=researcher')).toThrow(/"User" is not a role/);
    expect(() => parseAgentPolicy('user=Bad Agent')).toThrow(/"Bad Agent"/);
    expect(() => parseAgentPolicy('user=a;user=b')).toThrow(/listed twice/);
    expect(() => parseAgentPolicy('{"user": 3}')).toThrow(/"user" must be "\*" or an array/);
    expect(() => parseAgentPolicy('{oops')).toThrow(/not valid JSON/);
  });
});
