import { describe, expect, it } from '@jest/globals';
import { ANSWER, answerOf, parse, subcommandError, UsageError } from './args.parsing.js';

describe('answerOf', () => {
  it('reads --json, --timeout and the connection flags of ANSWER', () => {
    const { values } = parse(
      'audit verify',
      ['--json', '--timeout', '250', '--nats', 'nats://h:4222'],
      ANSWER,
    );
    expect(answerOf('audit verify', values)).toEqual({
      json: true,
      timeoutMs: 250,
      connection: { nats: 'nats://h:4222' },
    });
  });

  it('defaults to text, no timeout of its own and no connection flag', () => {
    const { values } = parse('audit verify', [], ANSWER);
    expect(answerOf('audit verify', values)).toEqual({ json: false, connection: {} });
  });

  it('refuses a timeout that is no whole number of milliseconds, naming the command', () => {
    const { values } = parse('schedules due', ['--timeout', 'soon'], ANSWER);
    expect(() => answerOf('schedules due', values)).toThrow(
      'switchboard schedules due: --timeout must be milliseconds',
    );
  });
});

describe('subcommandError', () => {
  it('says what to do when no subcommand is given (or a flag comes first)', () => {
    for (const sub of [undefined, '--json']) {
      const e = subcommandError('audit', sub, '`switchboard audit verify`', ['verify']);
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toBe('switchboard audit: say what to do: `switchboard audit verify`');
    }
  });

  it('names the subcommands there are for an unknown one', () => {
    expect(subcommandError('audit', 'check', '…', ['verify']).message).toBe(
      'switchboard audit: unknown subcommand "check" (there is: verify)',
    );
    expect(subcommandError('memory', 'drop', '…', ['forget-user', 'forget-tenant']).message).toBe(
      'switchboard memory: unknown subcommand "drop" (there are: forget-user, forget-tenant)',
    );
  });
});
