import { describe, expect, it } from '@jest/globals';
import type { Tools } from '@switchboard/contracts';
import { generatedTools, toolRequests } from '@switchboard/testing';
import { terms, ToolSearchIndex } from './tool-search.index.js';

const tool = (
  name: string,
  description: string,
  parameters: string[] = [],
  title = name,
): Tools.ManifestTool => ({
  name,
  title,
  description,
  provider: 'demo',
  inputSchema: {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p, { type: 'string' }])),
  },
  idempotent: true,
});

const TOOLS = [
  tool('github__create_issue', 'Opens a new issue in a repository.', ['repo', 'title', 'body']),
  tool('github__list_repos', 'Lists the repositories of an organisation.', ['org']),
  tool('calendar__create_event', 'Adds an event to a calendar.', ['start', 'end', 'attendees']),
  tool('mail__send', 'Sends an e-mail message.', ['to', 'subject', 'body'], 'Send mail'),
  tool('weather.get', 'Current weather for a city.', ['city']),
];

describe(ToolSearchIndex.name, () => {
  const index = new ToolSearchIndex(TOOLS);

  it('splits names at case changes, dots and underscores, drops stop words and plurals', () => {
    expect(terms('github__listRepos for the notes.addNote')).toEqual([
      'github',
      'list',
      'repo',
      'note',
      'add',
      'note',
    ]);
  });

  it('ranks by name, description and parameter names, best first', () => {
    expect(index.search('create an issue on github', 3)[0]?.tool.name).toBe('github__create_issue');
    expect(index.search('list repositories', 3)[0]?.tool.name).toBe('github__list_repos');
    expect(index.search('what is the weather in Paris', 3)[0]?.tool.name).toBe('weather.get');
    // only a parameter says it
    expect(index.search('attendees', 3).map((h) => h.tool.name)).toEqual([
      'calendar__create_event',
    ]);
  });

  it('returns at most `limit` hits, and none for words no tool has', () => {
    expect(index.search('create', 1)).toHaveLength(1);
    expect(index.search('create', 5).map((h) => h.tool.name)).toEqual([
      'calendar__create_event',
      'github__create_issue',
    ]);
    expect(index.search('zebra quantum', 5)).toEqual([]);
  });

  it('scores a tool higher when more of the query matches it', () => {
    const [first, second] = index.search('send mail body subject', 2);
    expect(first?.tool.name).toBe('mail__send');
    expect(first!.score).toBeGreaterThan(second?.score ?? 0);
  });
});

describe('ToolSearchIndex over 500 generated tools', () => {
  it('puts the right tool first for 50 varied requests worded otherwise than the tools', () => {
    const index = new ToolSearchIndex(
      generatedTools(500).map((t) => ({
        name: `corp__${t.name}`,
        title: t.name,
        description: t.description,
        provider: 'corp',
        inputSchema: t.inputSchema,
        idempotent: false,
      })),
    );
    const wrong = toolRequests(50).filter(
      (r) => index.search(r.text, 1)[0]?.tool.name !== `corp__${r.tool}`,
    );
    expect(wrong).toEqual([]);
  });
});
