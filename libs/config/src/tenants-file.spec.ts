import { Tenancy } from '@switchboard/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TenantDirectory, TenantsFileError } from './tenants-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-tenants-file-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const problemsOf = (path: string): readonly string[] => {
  try {
    TenantDirectory.load(path);
  } catch (e) {
    expect(e).toBeInstanceOf(TenantsFileError);
    return (e as TenantsFileError).problems;
  }
  throw new Error('expected the file to be refused');
};

describe(TenantDirectory.name, () => {
  it('reads a YAML file: each tenant its tools, agents, guardrails and credential policy', () => {
    const tenants = TenantDirectory.load(
      write(
        'tenants.yaml',
        [
          'tenants:',
          '  acme:',
          '    tools: { providers: [math, notes], tools: [time.now] }',
          '    agents: [researcher]',
          '    guardrails: { disallowedKeywords: [merger], disallowedPatterns: ["\\\\bfalcon\\\\b"] }',
          '    credentials: { platform: false }',
          '  globex: {}',
        ].join('\n'),
      ),
    );
    expect(tenants.tenants()).toEqual(['acme', 'globex']);
    expect(tenants.settingsOf('acme')).toEqual({
      tools: { providers: ['math', 'notes'], tools: ['time.now'] },
      agents: ['researcher'],
      guardrails: { disallowedKeywords: ['merger'], disallowedPatterns: ['\\bfalcon\\b'] },
      credentials: { platform: false },
    });
    expect(tenants.settingsOf('globex')).toEqual({});
    expect(tenants.settingsOf('initech')).toBeUndefined();
    expect(tenants.settingsOf('__proto__')).toBeUndefined();
  });

  it('reads JSON by extension, and no file means no tenant has settings', () => {
    const path = write('tenants.json', JSON.stringify({ tenants: { acme: { agents: [] } } }));
    expect(TenantDirectory.load(path).settingsOf('acme')).toEqual({ agents: [] });
    expect(TenantDirectory.load(undefined).tenants()).toEqual([]);
    expect(TenantDirectory.load(undefined).fingerprintOf('acme')).toBe('-');
  });

  it('gives each tenant a fingerprint that changes with its settings only', () => {
    const a = new TenantDirectory({ tenants: { acme: { agents: ['researcher'] }, globex: {} } });
    const b = new TenantDirectory({ tenants: { acme: { agents: ['writer'] }, globex: {} } });
    expect(a.fingerprintOf('acme')).not.toBe(b.fingerprintOf('acme'));
    expect(a.fingerprintOf('globex')).toBe(b.fingerprintOf('globex'));
    expect(a.fingerprintOf('acme')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('refuses a bad file naming every problem by tenant and field', () => {
    const problems = problemsOf(
      write(
        'bad.yaml',
        [
          'tenants:',
          '  "bad tenant!": {}',
          '  acme:',
          '    agents: [Researcher]',
          '    tools: { provider: [math] }',
          '    guardrails: { disallowedPatterns: ["(unclosed"] }',
          '    colour: blue',
        ].join('\n'),
      ),
    );
    const text = problems.join('\n');
    expect(text).toContain('tenants.bad tenant!');
    expect(text).toContain('tenants.acme.agents.0');
    expect(text).toMatch(/tenants\.acme\.tools: .*provider/);
    expect(text).toMatch(
      /tenants\.acme\.guardrails\.disallowedPatterns\.0: is not a valid regular expression/,
    );
    expect(text).toMatch(/tenants\.acme: .*colour/);
  });

  it('says when the file cannot be read or parsed', () => {
    expect(problemsOf(join(dir, 'missing.yaml'))).toEqual(['cannot be read: ENOENT']);
    expect(problemsOf(write('broken.json', '{"tenants":'))[0]).toMatch(/^is not valid JSON/);
    expect(problemsOf(write('top.yaml', 'tenant: {}'))[0]).toMatch(/tenant/);
  });
});

describe('tenant allow-lists', () => {
  it('lets a tenant without a tools section use every tool, else its providers and tools only', () => {
    const calc = { name: 'calculator', provider: 'math' };
    const now = { name: 'time.now', provider: 'clock' };
    expect(Tenancy.tenantAllowsTool(undefined, calc)).toBe(true);
    expect(Tenancy.tenantAllowsTool({}, calc)).toBe(true);
    const settings = { tools: { providers: ['notes'], tools: ['time.now'] } };
    expect(Tenancy.tenantAllowsTool(settings, calc)).toBe(false);
    expect(Tenancy.tenantAllowsTool(settings, now)).toBe(true);
    expect(Tenancy.tenantAllowsTool(settings, { name: 'notes.add', provider: 'notes' })).toBe(true);
  });

  it('lets a tenant without an agents list use every agent, and an empty list none', () => {
    expect(Tenancy.tenantAllowsAgent(undefined, 'researcher')).toBe(true);
    expect(Tenancy.tenantAllowsAgent({ agents: ['writer'] }, 'researcher')).toBe(false);
    expect(Tenancy.tenantAllowsAgent({ agents: ['writer'] }, 'writer')).toBe(true);
    expect(Tenancy.tenantAllowsAgent({ agents: [] }, 'writer')).toBe(false);
  });
});
