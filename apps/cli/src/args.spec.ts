import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ACTOR, parseCommandLine, USAGE, UsageError } from './args.js';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

/** The UsageError a command line gives (or a failure of the test when it parses). */
function refusal(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe(parseCommandLine.name, () => {
  it('shows the help without a command, with --help, and per command', () => {
    expect(parseCommandLine([])).toEqual({ name: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ name: 'help' });
    expect(parseCommandLine(['help', 'audit', 'verify'])).toEqual({
      name: 'help',
      topic: 'audit verify',
    });
    expect(parseCommandLine(['tail', '-h'])).toEqual({ name: 'help', topic: 'tail' });
    expect(parseCommandLine(['call', '--help'])).toEqual({ name: 'help', topic: 'call' });
    expect(USAGE.tail).toMatch(/--task <taskId>/);
    expect(USAGE.tail).toMatch(/--tls-cert/);
  });

  it('parses the tail: filters, output and connection flags', () => {
    expect(
      parseCommandLine([
        'tail',
        '--task',
        TASK,
        '--user',
        'ada',
        '--service',
        'mcp-tools',
        '--replies',
        '--json',
        '--nats',
        'tls://nats:4222',
        '--nkey',
        '/run/admin.nk',
        '--tls-ca',
        '/run/ca.pem',
      ]),
    ).toEqual({
      name: 'tail',
      task: TASK,
      user: 'ada',
      service: 'mcp-tools',
      replies: true,
      json: true,
      connection: { nats: 'tls://nats:4222', nkey: '/run/admin.nk', 'tls-ca': '/run/ca.pem' },
    });
    expect(parseCommandLine(['tail'])).toEqual({
      name: 'tail',
      replies: false,
      json: false,
      connection: {},
    });
  });

  it('takes --color and --no-color, the last one given winning', () => {
    expect(parseCommandLine(['tail', '--color'])).toMatchObject({ colour: true });
    expect(parseCommandLine(['tail', '--no-color'])).toMatchObject({ colour: false });
    expect(parseCommandLine(['tail', '--no-color', '--json', '--color'])).toMatchObject({
      colour: true,
      json: true,
    });
    expect(parseCommandLine(['tail', '--color', '--no-color'])).toMatchObject({ colour: false });
    expect(parseCommandLine(['tail'])).not.toHaveProperty('colour');
    expect(USAGE.tail).toMatch(/--no-color/);
  });

  it('refuses what the tail cannot use, saying what it expects', () => {
    expect(refusal(['tail', '--task', 'abc']).message).toMatch(/--task must be a task id .*"abc"/);
    expect(refusal(['tail', '--service', 'gw']).message).toMatch(
      /--service must be one of gateway, orchestrator, .*"gw"/,
    );
    const unknown = refusal(['tail', '--tsk', TASK]);
    expect(unknown.message).toMatch(/switchboard tail: .*'--tsk'/);
    expect(unknown.command).toBe('tail');
    expect(refusal(['tail', '--task']).message).toMatch(/--task/);
    expect(refusal(['tail', 'extra']).message).toMatch(/unexpected argument "extra"/);
    // a password never on the command line
    expect(refusal(['tail', '--nats-password', 'x']).message).toMatch(/'--nats-password'/);
    expect(refusal(['tail', '--tenant', 'acme.*']).message).toMatch(/--tenant must be 1-64/);
    expect(refusal(['tail', '--tenant', 'acme', '--task', TASK]).message).toMatch(
      /--tenant reads only/,
    );
  });

  it('parses --tenant for a tenant operator', () => {
    expect(parseCommandLine(['tail', '--tenant', 'acme'])).toMatchObject({
      name: 'tail',
      tenant: 'acme',
    });
  });

  it('parses a call: the subject, its JSON request (default {}), the acting user, a timeout', () => {
    expect(parseCommandLine(['call', 'sb.health.audit'])).toEqual({
      name: 'call',
      subject: 'sb.health.audit',
      request: {},
      actor: DEFAULT_ACTOR,
      connection: {},
    });
    expect(
      parseCommandLine([
        'call',
        'sb.cmd.audit.query',
        '{"limit": 5}',
        '--as',
        'root@example.org',
        '--role',
        'admin',
        '--timeout',
        '2500',
        '--nats-user',
        'admin',
      ]),
    ).toEqual({
      name: 'call',
      subject: 'sb.cmd.audit.query',
      request: { limit: 5 },
      actor: { userId: 'root@example.org', role: 'admin' },
      timeoutMs: 2500,
      connection: { 'nats-user': 'admin' },
    });
  });

  it('refuses a call without a subject, with a request that is not JSON, or a bad actor or timeout', () => {
    expect(refusal(['call']).message).toMatch(/say which command/);
    expect(refusal(['call', 'sb.health.audit', '{limit: 5}']).message).toMatch(
      /the request is not JSON .*quote it/,
    );
    expect(refusal(['call', 'sb.health.audit', '{}', 'more']).message).toMatch(
      /unexpected argument "more"/,
    );
    expect(refusal(['call', 'sb.health.audit', '--as', 'a b']).message).toMatch(
      /--as must be a user id/,
    );
    expect(refusal(['call', 'sb.health.audit', '--role', 'Admin']).message).toMatch(
      /--role must be a role/,
    );
    expect(refusal(['call', 'sb.health.audit', '--timeout', '5s']).message).toMatch(
      /--timeout must be milliseconds .*"5s"/,
    );
  });

  it('parses audit verify, always as an admin', () => {
    expect(parseCommandLine(['audit', 'verify', '--json', '--as', 'root'])).toEqual({
      name: 'audit verify',
      actor: { userId: 'root', role: 'platform-admin' },
      json: true,
      connection: {},
    });
    expect(refusal(['audit', 'verify', '--role', 'user']).message).toMatch(/'--role'/);
    expect(refusal(['audit']).message).toMatch(/switchboard audit verify/);
    expect(refusal(['audit', 'purge']).message).toMatch(/unknown subcommand "purge"/);
  });

  it('names an unknown command and the ones there are', () => {
    const e = refusal(['tial']);
    expect(e.message).toBe(
      'unknown command "tial": the commands are tail, call, audit verify, schedules due, memory forget-user, memory forget-namespace, memory forget-tenant and eval run (switchboard --help)',
    );
    expect(e.command).toBeUndefined();
    expect(refusal(['help', 'nothing']).message).toMatch(/unknown command "nothing"/);
  });
});
