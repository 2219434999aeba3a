import { describe, expect, it } from '@jest/globals';
import type { Tools } from '@switchboard/contracts';
import { configChanges, sha256, toolAllowed, toolSchemasSha256 } from './agent-config.js';
import { config } from './agent.fakes.js';

const tool = (name: string, description = `does ${name}`): Tools.ManifestTool => ({
  name,
  title: name,
  description,
  provider: name.split('.')[0] ?? name,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  idempotent: true,
});

describe('agent configuration', () => {
  it('allows tools by exact name or * pattern; no list allows all, an empty one none', () => {
    expect(toolAllowed('notes.add', ['notes.*'])).toBe(true);
    expect(toolAllowed('notesXadd', ['notes.*'])).toBe(false);
    expect(toolAllowed('web.fetch', ['notes.add', 'echo'])).toBe(false);
    expect(toolAllowed('echo', ['notes.add', 'echo'])).toBe(true);
    expect(toolAllowed('anything', undefined)).toBe(true);
    expect(toolAllowed('anything', [])).toBe(false);
    expect(toolAllowed('a.b', ['*'])).toBe(true);
  });

  it('hashes the tools offered whatever their order, and differently when a schema changes', () => {
    const a = toolSchemasSha256([tool('echo'), tool('notes.add')]);
    expect(toolSchemasSha256([tool('notes.add'), tool('echo')])).toBe(a);
    expect(toolSchemasSha256([tool('notes.add', 'other'), tool('echo')])).not.toBe(a);
    expect(toolSchemasSha256([])).toBe(sha256('[]'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('diffs two configurations field by field, lists whole', () => {
    const v1 = config({ tools: ['notes.*'], model: { name: 'm1', temperature: 0.2 } });
    const v2 = config({
      tools: ['echo'],
      instructions: 'Be thorough.',
      model: { name: 'm1', temperature: 0.7 },
      limits: { maxSteps: 3 },
    });
    expect(configChanges(v1, v2)).toEqual([
      { path: 'instructions', from: 'Answer briefly.', to: 'Be thorough.' },
      { path: 'limits.maxSteps', to: 3 },
      { path: 'model.temperature', from: 0.2, to: 0.7 },
      { path: 'tools', from: ['notes.*'], to: ['echo'] },
    ]);
    expect(configChanges(v1, v1)).toEqual([]);
  });
});
