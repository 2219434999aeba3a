import { describe, expect, it } from '@jest/globals';
import { type Actor, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { ToolsListQuery } from '../http/api.schemas.js';
import { CatalogController } from './catalog.controller.js';
import type { ToolCatalogueService } from './tool-catalogue.service.js';

const ann: Actor = { userId: 'ann', role: 'user' };

/** The controller over a bus that records what it was asked, and a catalogue that checks nothing. */
function setup() {
  const sent: { subject: string; request: unknown }[] = [];
  const bus = {
    request: (contract: { subject: string }, request: unknown) => {
      sent.push({ subject: contract.subject, request });
      return Promise.resolve({});
    },
  } as unknown as NatsBus;
  const catalogue = { check: () => Promise.resolve() } as unknown as ToolCatalogueService;
  return { sut: new CatalogController(bus, catalogue), sent };
}

describe('GET /tools', () => {
  it('with q, searches the caller’s tools under the constraints instead of listing them', async () => {
    const { sut, sent } = setup();
    const query = ToolsListQuery.parse({ q: ' send an sms ', limit: '3', providers: 'corp' });
    await sut.tools(ann, query);
    expect(sent).toEqual([
      {
        subject: Tools.ToolsSearch.subject,
        request: {
          query: 'send an sms',
          limit: 3,
          constraints: { mode: 'custom', providers: ['corp'] },
        },
      },
    ]);
  });

  it('without q, answers the manifest; a limit past the most a search returns is refused', async () => {
    const { sut, sent } = setup();
    await sut.tools(ann, ToolsListQuery.parse({}));
    expect(sent).toEqual([{ subject: Tools.ToolsManifest.subject, request: {} }]);
    const tooMany = ToolsListQuery.safeParse({ q: 'x', limit: String(Tools.MAX_SEARCH_LIMIT + 1) });
    expect(tooMany.success).toBe(false);
    expect(ToolsListQuery.safeParse({ q: 'x', other: '1' }).success).toBe(false);
  });
});
