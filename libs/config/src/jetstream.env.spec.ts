import { z } from 'zod';
import { BaseEnv } from './base.env.js';
import { jetStreamSettings, parseDuration, parseSize } from './jetstream.env.js';
import { ConfigError, loadConfig } from './load-config.js';

const Schema = BaseEnv.extend({ PORT: z.coerce.number().default(3000) });
const GiB = 1024 ** 3;
const DAY = 86_400_000;

/** The problems loadConfig reports for `env`, one per line. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig('svc', Schema, env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

const settings = (env: Record<string, string>) => jetStreamSettings(loadConfig('svc', Schema, env));

describe('JetStream stream settings', () => {
  it('sets nothing when unset (new streams get the defaults, existing ones keep theirs)', () => {
    expect(settings({})).toEqual({});
    expect(settings({ JETSTREAM_REPLICAS: '', JETSTREAM_MAX_BYTES: '' })).toEqual({});
  });

  it('reads replicas, one size for every stream, and per-stream overrides', () => {
    expect(
      settings({
        JETSTREAM_REPLICAS: '3',
        JETSTREAM_MAX_BYTES: '1GiB, SB_AUDIT=4GiB,SB_TASK_EVENTS=512MiB',
        JETSTREAM_MAX_AGE: 'SB_AUDIT=90d,SB_TASK_EVENTS=36h',
      }),
    ).toEqual({
      replicas: 3,
      maxBytes: { default: GiB, streams: { SB_AUDIT: 4 * GiB, SB_TASK_EVENTS: 512 * 1024 ** 2 } },
      maxAgeMs: { streams: { SB_AUDIT: 90 * DAY, SB_TASK_EVENTS: 36 * 3_600_000 } },
    });
    expect(settings({ JETSTREAM_MAX_BYTES: '2GiB' }).maxBytes).toEqual({
      default: 2 * GiB,
      streams: {},
    });
  });

  it('takes the JSON object a Helm values map renders', () => {
    expect(
      settings({
        JETSTREAM_MAX_BYTES: '{"default":"1GiB","SB_AUDIT":4294967296}',
        JETSTREAM_MAX_AGE: '{"SB_DEAD_LETTERS":"unlimited"}',
      }),
    ).toEqual({
      maxBytes: { default: GiB, streams: { SB_AUDIT: 4 * GiB } },
      maxAgeMs: { streams: { SB_DEAD_LETTERS: 0 } },
    });
  });

  it('parses sizes and durations in the units operators write', () => {
    expect(parseSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseSize('5Gi')).toBe(5 * GiB);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
    expect(parseSize('2097152')).toBe(2 * 1024 ** 2);
    expect(parseSize('unlimited')).toBe(-1);
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('2w')).toBe(14 * DAY);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('Unlimited')).toBe(0);
  });

  it('names the variable and what is wrong', () => {
    expect(
      problems({
        JETSTREAM_REPLICAS: '7',
        JETSTREAM_MAX_BYTES: 'SB_AUDITS=4GiB,SB_TASKS=lots',
        JETSTREAM_MAX_AGE: '30',
      }),
    ).toEqual([
      expect.stringMatching(/^JETSTREAM_REPLICAS: .*5.* \(got "7"\)$/),
      'JETSTREAM_MAX_BYTES: unknown stream "SB_AUDITS" (the streams are SB_TASKS, SB_TASK_EVENTS, SB_AUDIT, SB_AUDIT_CHAINED, SB_DEAD_LETTERS, SB_DELEGATIONS); SB_TASKS: "lots" is not a size: give bytes or a number with B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. 512MiB, or "unlimited" (got "SB_AUDITS=4GiB,SB_TASKS=lots")',
      'JETSTREAM_MAX_AGE: default: "30" is not a duration: give a number with a unit, ms, s, m, h, d or w, e.g. 7d or 36h, or "unlimited" (got "30")',
    ]);
    expect(problems({ JETSTREAM_MAX_BYTES: '1GiB,2GiB' })).toEqual([
      'JETSTREAM_MAX_BYTES: the default is given twice (got "1GiB,2GiB")',
    ]);
    expect(problems({ JETSTREAM_MAX_BYTES: '1000' })).toEqual([
      'JETSTREAM_MAX_BYTES: default: "1000" is less than the least size, 1MiB (got "1000")',
    ]);
    expect(problems({ JETSTREAM_MAX_BYTES: '{"SB_AUDIT": true}' })).toEqual([
      'JETSTREAM_MAX_BYTES: SB_AUDIT: give a string or a number, not true (got "{\\"SB_AUDIT\\": true}")',
    ]);
    expect(problems({ JETSTREAM_REPLICAS: '0' })).toHaveLength(1);
  });

  it('refuses a max age shorter than a stream’s de-duplication window', () => {
    expect(problems({ JETSTREAM_MAX_AGE: 'SB_AUDIT=5m' })).toEqual([
      'JETSTREAM_MAX_AGE: SB_AUDIT would keep messages 300 s, less than its de-duplication window (600 s) (got "SB_AUDIT=5m")',
    ]);
    expect(problems({ JETSTREAM_MAX_AGE: '1h' })).toEqual([]);
  });

  describe('JETSTREAM_TASKS_PER_DAY', () => {
    const KiB = 1024;

    it('sizes the streams that keep task history: tasks per day × days kept × bytes per task', () => {
      expect(settings({ JETSTREAM_TASKS_PER_DAY: '20000' })).toEqual({
        maxBytes: {
          streams: { SB_TASK_EVENTS: 20_000 * 7 * 16 * KiB, SB_AUDIT: 20_000 * 30 * 6 * KiB },
        },
      });
    });

    it('follows the days JETSTREAM_MAX_AGE keeps, and skips a stream kept forever', () => {
      expect(
        settings({
          JETSTREAM_TASKS_PER_DAY: '1000',
          JETSTREAM_MAX_AGE: 'SB_TASK_EVENTS=14d,SB_AUDIT=unlimited',
        }).maxBytes,
      ).toEqual({ streams: { SB_TASK_EVENTS: 1000 * 14 * 16 * KiB } });
    });

    it('leaves a stream JETSTREAM_MAX_BYTES names, and its default for the others, as set', () => {
      expect(
        settings({ JETSTREAM_TASKS_PER_DAY: '1000', JETSTREAM_MAX_BYTES: '2GiB,SB_AUDIT=8GiB' })
          .maxBytes,
      ).toEqual({
        default: 2 * GiB,
        streams: { SB_TASK_EVENTS: 1000 * 7 * 16 * KiB, SB_AUDIT: 8 * GiB },
      });
    });

    it('never sizes a stream under 1 MiB, and refuses a rate that is not a positive whole number', () => {
      expect(settings({ JETSTREAM_TASKS_PER_DAY: '1' }).maxBytes?.streams['SB_TASK_EVENTS']).toBe(
        1024 ** 2,
      );
      expect(problems({ JETSTREAM_TASKS_PER_DAY: '0' })).toEqual([
        expect.stringMatching(/^JETSTREAM_TASKS_PER_DAY: .*>=1/),
      ]);
      expect(problems({ JETSTREAM_TASKS_PER_DAY: 'many' })).toEqual([
        expect.stringMatching(/^JETSTREAM_TASKS_PER_DAY: /),
      ]);
    });
  });
});
