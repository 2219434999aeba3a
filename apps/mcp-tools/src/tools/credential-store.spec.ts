import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore } from './credential-store.js';

const file = (name: string, text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-creds-')), name);
  writeFileSync(path, text);
  return path;
};

describe('the credential store', () => {
  it('takes credentials from the environment, except the service settings it is told to exclude', () => {
    const store = CredentialStore.load({
      env: {
        WEATHER_API_KEY: 'wk-1',
        DATABASE_URL: 'postgresql://u:p@h/db',
        lower_case: 'x',
        EMPTY: '',
      },
      exclude: ['DATABASE_URL'],
    });
    expect(store.has('WEATHER_API_KEY')).toBe(true);
    expect(store.has('DATABASE_URL')).toBe(false);
    expect(store.has('EMPTY')).toBe(false);
    expect(() => store.resolve('db.dump', ['DATABASE_URL'])).toThrow(
      'db.dump is not configured on this platform: it needs DATABASE_URL (docs/tools.md)',
    );
  });

  it('reads a mounted secrets file (KEY=value lines or JSON), which wins over the environment', () => {
    const lines = CredentialStore.load({
      env: { A_KEY: 'from-env' },
      file: file('creds.env', '# comment\nA_KEY="from-file"\nexport B_KEY=b-1\n'),
    });
    expect(lines.resolve('t', ['A_KEY', 'B_KEY'])).toEqual({ A_KEY: 'from-file', B_KEY: 'b-1' });
    const json = CredentialStore.load({ env: {}, file: file('creds.json', '{"C_KEY":"c-1"}') });
    expect(json.valuesFor(['C_KEY', 'MISSING'])).toEqual(['c-1']);
  });

  it('names the line of a bad secrets file and never its value', () => {
    const path = file('bad.env', 'GOOD=1\nthis is the-secret-value\n');
    expect(() => CredentialStore.load({ env: {}, file: path })).toThrow(
      `CREDENTIALS_FILE ${path} line 2: expected NAME=value with an UPPER_SNAKE_CASE name`,
    );
    try {
      CredentialStore.load({ env: {}, file: path });
    } catch (e) {
      expect((e as Error).message).not.toContain('the-secret-value');
    }
  });
});
