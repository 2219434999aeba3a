import { CATALOGUE } from './catalogue.js';
import { SUBJECT_ROOT } from './define.js';

describe('the contract catalogue', () => {
  it('has unique command subjects and event templates, all under the root', () => {
    const subjects = CATALOGUE.commands.map((c) => c.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    const templates = CATALOGUE.events.map((e) => e.template);
    expect(new Set(templates).size).toBe(templates.length);
    for (const s of [...subjects, ...templates])
      expect(s.startsWith(`${SUBJECT_ROOT}.`)).toBe(true);
  });

  it('puts every durable event in a stream whose subjects cover it', () => {
    for (const e of CATALOGUE.events.filter((x) => x.delivery === 'at-least-once')) {
      expect(e.stream).toBeDefined();
      const covered = e.stream!.subjects.some((s) => covers(s, e.pattern));
      expect({ template: e.template, covered }).toEqual({ template: e.template, covered: true });
    }
  });

  it('gives streams distinct names and non-overlapping subjects', () => {
    const names = CATALOGUE.streams.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

/** Whether stream subject filter `filter` matches every subject of `pattern`. */
function covers(filter: string, pattern: string): boolean {
  const f = filter.split('.');
  const p = pattern.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return true;
    if (p[i] === undefined) return false;
    if (f[i] === '*') {
      if (p[i] === '>') return false;
      continue;
    }
    if (f[i] !== p[i]) return false;
  }
  return f.length === p.length;
}
