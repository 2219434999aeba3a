import { describe, expect, it } from '@jest/globals';
import { parseCommandLine, USAGE, UsageError } from './args.js';

function refusal(argv: string[]): string {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('switchboard memory', () => {
  it('forgets a user in one tenant as the platform operator acting in it', () => {
    expect(
      parseCommandLine(['memory', 'forget-user', 'bob', '--tenant', 'acme', '--json']),
    ).toEqual({
      name: 'memory forget-user',
      forget: { userId: 'bob' },
      actor: { userId: 'switchboard-cli', role: 'platform-admin', tenantId: 'acme' },
      json: true,
      connection: {},
    });
  });

  it('forgets a tenant, acting in it', () => {
    expect(parseCommandLine(['memory', 'forget-tenant', 'acme', '--as', 'olga'])).toMatchObject({
      name: 'memory forget-tenant',
      forget: { tenantId: 'acme' },
      actor: { userId: 'olga', role: 'platform-admin', tenantId: 'acme' },
      json: false,
    });
  });

  it('forgets one namespace in one tenant, acting in it', () => {
    expect(
      parseCommandLine(['memory', 'forget-namespace', 'tenant', 'handbook', '--tenant', 'acme']),
    ).toEqual({
      name: 'memory forget-namespace',
      forget: { namespace: { kind: 'tenant', key: 'handbook' } },
      actor: { userId: 'switchboard-cli', role: 'platform-admin', tenantId: 'acme' },
      json: false,
      connection: {},
    });
    expect(refusal(['memory', 'forget-namespace', 'tenant', 'handbook'])).toMatch(
      /--tenant is required: a namespace is one in one tenant/,
    );
    expect(refusal(['memory', 'forget-namespace', 'tenant', '--tenant', 'acme'])).toMatch(
      /say which namespace: <kind> <key> \(kind: user, thread, agent, tenant\)/,
    );
    expect(refusal(['memory', 'forget-namespace', 'planet', 'x', '--tenant', 'acme'])).toMatch(
      /the kind .*got "planet"/,
    );
    expect(refusal(['memory', 'forget-namespace', 'user', 'a b', '--tenant', 'acme'])).toMatch(
      /the key may hold letters, digits .*got "a b"/,
    );
    expect(refusal(['memory', 'forget-namespace', 'user', 'ann', 'x', '--tenant', 'acme'])).toMatch(
      /unexpected argument/,
    );
    expect(USAGE['memory forget-namespace']).toMatch(/never contents/);
    expect(USAGE.switchboard).toMatch(/memory forget-namespace/);
  });

  it('names what is missing or wrong', () => {
    expect(refusal(['memory'])).toMatch(/say what to do/);
    expect(refusal(['memory', 'remember'])).toMatch(/unknown subcommand "remember"/);
    expect(refusal(['memory', 'forget-user', 'bob'])).toMatch(/--tenant is required/);
    expect(refusal(['memory', 'forget-user', '--tenant', 'acme'])).toMatch(/say which user/);
    expect(refusal(['memory', 'forget-user', 'b o b', '--tenant', 'acme'])).toMatch(
      /the user id .*got "b o b"/,
    );
    expect(refusal(['memory', 'forget-tenant', 'not a tenant'])).toMatch(
      /the tenant id .*got "not a tenant"/,
    );
    expect(refusal(['memory', 'forget-tenant', 'acme', '--tenant', 'x'])).toMatch(
      /Unknown option '--tenant'/,
    );
    expect(refusal(['memory', 'forget-tenant', 'acme', 'more'])).toMatch(/unexpected argument/);
  });

  it('has a help of its own per subcommand', () => {
    expect(parseCommandLine(['memory', 'forget-user', '--help'])).toEqual({
      name: 'help',
      topic: 'memory forget-user',
    });
    expect(parseCommandLine(['help', 'memory', 'forget-tenant'])).toEqual({
      name: 'help',
      topic: 'memory forget-tenant',
    });
    expect(USAGE['memory forget-user']).toMatch(/never contents/);
    expect(USAGE.switchboard).toMatch(/memory forget-tenant/);
  });
});
