import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

  it("reads each tenant's own credentials from the tenants' folder: <tenant>.env, .json or a mounted Secret's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-tenant-creds-'));
    writeFileSync(join(dir, 'acme.env'), 'WEATHER_API_KEY=acme-weather\n');
    writeFileSync(join(dir, 'globex.json'), '{"MAIL_TOKEN":"globex-mail"}');
    mkdirSync(join(dir, 'initech'));
    writeFileSync(join(dir, 'initech', 'WEATHER_API_KEY'), 'initech-weather\n');
    mkdirSync(join(dir, '..data')); // what a mounted Secret also holds: skipped
    const store = CredentialStore.load({
      env: { WEATHER_API_KEY: 'platform-weather' },
      tenantDir: dir,
      sharesPlatform: (tenant) => tenant !== 'globex',
    });
    expect(store.resolve('weather.current', ['WEATHER_API_KEY'], 'acme')).toEqual({
      WEATHER_API_KEY: 'acme-weather',
    });
    expect(store.resolve('weather.current', ['WEATHER_API_KEY'], 'initech')).toEqual({
      WEATHER_API_KEY: 'initech-weather',
    });
    // A tenant without its own key shares the platform's, unless its settings say it may not.
    expect(store.resolve('weather.current', ['WEATHER_API_KEY'], 'hooli')).toEqual({
      WEATHER_API_KEY: 'platform-weather',
    });
    expect(store.hasFor('globex', 'WEATHER_API_KEY')).toBe(false);
    expect(() => store.resolve('weather.current', ['WEATHER_API_KEY'], 'globex')).toThrow(
      'weather.current is not configured on this platform: it needs WEATHER_API_KEY',
    );
    // Another tenant's credential is nobody else's.
    expect(store.hasFor('acme', 'MAIL_TOKEN')).toBe(false);
    expect(store.hasFor('default', 'MAIL_TOKEN')).toBe(false);
    expect(store.hasAnywhere('MAIL_TOKEN')).toBe(true);
    expect(store.namesOf('globex')).toEqual(['MAIL_TOKEN']);
    expect(store.valuesFor(['WEATHER_API_KEY'], 'acme').sort()).toEqual([
      'acme-weather',
      'platform-weather',
    ]);
  });

  it('refuses an entry of the tenants folder that is no tenant, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-tenant-creds-'));
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(() => CredentialStore.load({ env: {}, tenantDir: dir })).toThrow(
      /"notes.txt" is not <tenant>.env, <tenant>.json or a folder <tenant>\//,
    );
    const bad = mkdtempSync(join(tmpdir(), 'sb-tenant-creds-'));
    writeFileSync(join(bad, 'acme.env'), 'not a line with the-value\n');
    expect(() => CredentialStore.load({ env: {}, tenantDir: bad })).toThrow(
      /^TENANT_CREDENTIALS_DIR .*acme.env line 1: expected NAME=value/,
    );
    expect(() => CredentialStore.load({ env: {}, tenantDir: join(dir, 'missing') })).toThrow(
      /TENANT_CREDENTIALS_DIR .* cannot be read: ENOENT/,
    );
  });
});
