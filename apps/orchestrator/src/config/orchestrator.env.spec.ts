import { loadConfig } from '@switchboard/config';
import { OrchestratorEnv, usesLlm } from './orchestrator.env.js';

const load = (env: Record<string, string>) => loadConfig('orchestrator', OrchestratorEnv, env);

describe('OrchestratorEnv', () => {
  it('defaults to the built-in planner, no budget and both guardrail stages', () => {
    const c = load({});
    expect(c).toMatchObject({
      PLANNER: 'auto',
      TASK_TOKEN_BUDGET: 0,
      LLM_STREAM: false,
      DISALLOWED_KEYWORDS: [],
      DISALLOWED_PATTERNS: [],
      GUARDRAIL_STAGES: ['input', 'output'],
    });
    expect(usesLlm(c)).toBe(false);
  });

  it('reads lists, patterns, the price table, and picks the LLM planner when a key or a base URL is set', () => {
    const c = load({
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      LLM_STREAM: 'yes',
      DISALLOWED_KEYWORDS: 'bomb, launch codes ,',
      DISALLOWED_PATTERNS: '\\d{16};;secret\\s+plan',
      GUARDRAIL_STAGES: 'output',
      LLM_PRICES: '{"m":{"prompt":0.15,"completion":0.6}}',
    });
    expect(c).toMatchObject({
      LLM_STREAM: true,
      DISALLOWED_KEYWORDS: ['bomb', 'launch codes'],
      DISALLOWED_PATTERNS: ['\\d{16}', 'secret\\s+plan'],
      GUARDRAIL_STAGES: ['output'],
      LLM_PRICES: { m: { prompt: 0.15, completion: 0.6 } },
    });
    expect(usesLlm(c)).toBe(true);
    expect(usesLlm(load({ OPENAI_API_KEY: 'sk-x' }))).toBe(true);
    expect(usesLlm(load({ OPENAI_API_KEY: 'sk-x', PLANNER: 'builtin' }))).toBe(false);
  });

  it('names every bad setting and never echoes the key', () => {
    expect(() =>
      load({
        LLM_PRICES: '{oops',
        DISALLOWED_PATTERNS: '([',
        GUARDRAIL_STAGES: 'input,middle',
        OPENAI_API_KEY: '',
      }),
    ).toThrow(
      /LLM_PRICES: must be JSON[\s\S]*DISALLOWED_PATTERNS: is not a valid regular expression[\s\S]*GUARDRAIL_STAGES/,
    );
    const message = (() => {
      try {
        load({ OPENAI_API_KEY: 'sk-secret', OPENAI_BASE_URL: 'not a url' });
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('OPENAI_BASE_URL');
    expect(message).not.toContain('sk-secret');
  });

  it("takes SCHEDULE_CLOCK_FILE (the schedules' test clock), and refuses it in production", () => {
    expect(load({}).SCHEDULE_CLOCK_FILE).toBeUndefined();
    expect(load({ SCHEDULE_CLOCK_FILE: '/tmp/clock' }).SCHEDULE_CLOCK_FILE).toBe('/tmp/clock');
    expect(() => load({ SCHEDULE_CLOCK_FILE: '/tmp/clock', NODE_ENV: 'production' })).toThrow(
      /SCHEDULE_CLOCK_FILE: moves the schedules' clock for tests and is refused with NODE_ENV=production/,
    );
  });

  it('refuses an audit relay sweep that would take what the committing replica is still sending, naming the setting', () => {
    expect(load({})).toMatchObject({
      AUDIT_RELAY_LINGER_MS: 200,
      AUDIT_RELAY_HOLD_MS: 2_000,
      AUDIT_RELAY_MARK_LINGER_MS: 1_000,
      AUDIT_RELAY_SWEEP_AFTER_MS: 15_000,
    });
    expect(() =>
      load({ AUDIT_RELAY_MARK_LINGER_MS: '5000', AUDIT_RELAY_SWEEP_AFTER_MS: '4000' }),
    ).toThrow(/AUDIT_RELAY_SWEEP_AFTER_MS.*longer than the longer of AUDIT_RELAY_LINGER_MS/);
    // the hold counts too: records held 14 s could be taken by a sweep after 15 s
    expect(() => load({ AUDIT_RELAY_HOLD_MS: '14500' })).toThrow(
      /AUDIT_RELAY_SWEEP_AFTER_MS.*AUDIT_RELAY_HOLD_MS.*\(15500 ms\)/,
    );
    expect(() => load({ AUDIT_RELAY_BATCH: '501' })).toThrow(/AUDIT_RELAY_BATCH/);
  });
});
