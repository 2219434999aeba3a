import { type Actor, DomainError, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { MEMORY_URI_TEMPLATE, MemoryResources, namespaceOfUri } from './memory-resources.js';
import { ProtocolError } from './mcp.translator.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const ITEM = { id: '6b1f7a52-4c4e-4b8e-9d8a-3c3f4e2a1b00', content: 'my favourite number is 7' };

/** A bus whose MemoryList answers `answer` (or fails with it), recording what was asked as whom. */
function setup(answer: unknown) {
  const sent: { subject: string; request: unknown; actor: unknown }[] = [];
  const bus = {
    request: (c: { subject: string }, request: unknown, o: { actor: unknown }) => {
      sent.push({ subject: c.subject, request, actor: o.actor });
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as NatsBus;
  return { sut: new MemoryResources(bus), sent };
}

const failure = (fn: () => unknown): Promise<unknown> =>
  Promise.resolve()
    .then(fn)
    .then(
      () => undefined,
      (e: unknown) => e,
    );

describe(MemoryResources.name, () => {
  it("lists the caller's own namespace and the template for any other", () => {
    const { sut } = setup({ items: [] });
    expect(sut.list(ann).resources).toEqual([
      expect.objectContaining({
        uri: 'switchboard://memory/user/ann',
        mimeType: 'application/json',
      }),
    ]);
    expect(sut.templates().resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: MEMORY_URI_TEMPLATE, name: 'memory' }),
    ]);
  });

  it('reads a namespace as the caller (mcp-tools decides), as JSON text', async () => {
    const { sut, sent } = setup({ items: [ITEM] });
    const uri = 'switchboard://memory/tenant/handbook';
    const read = await sut.read(ann, uri);
    expect(sent).toEqual([
      {
        subject: Tools.MemoryList.subject,
        request: { namespace: { kind: 'tenant', key: 'handbook' }, limit: 100 },
        actor: ann,
      },
    ]);
    expect(read.contents).toEqual([
      { uri, mimeType: 'application/json', text: expect.any(String) },
    ]);
    expect(JSON.parse(read.contents[0]!.text)).toEqual({
      namespace: { kind: 'tenant', key: 'handbook' },
      items: [ITEM],
    });
  });

  it("answers a refusal as -32602 with mcp-tools' reason, an unavailable store as -32603", async () => {
    const refused = setup(
      new DomainError('FORBIDDEN', 'you may not read memory namespace user:bob'),
    );
    expect(
      await failure(() => refused.sut.read(ann, 'switchboard://memory/user/bob')),
    ).toMatchObject({
      code: -32602,
      message: 'FORBIDDEN: you may not read memory namespace user:bob',
      data: { code: 'FORBIDDEN' },
    });
    const down = setup(new DomainError('UPSTREAM_UNAVAILABLE', 'no responders'));
    expect(await failure(() => down.sut.read(ann, 'switchboard://memory/user/ann'))).toMatchObject({
      code: -32603,
    });
  });

  it('refuses a URI that is not a memory namespace, naming what is wrong, before asking anyone', async () => {
    expect(namespaceOfUri('switchboard://memory/thread/t%3A1')).toEqual({
      kind: 'thread',
      key: 't:1',
    });
    for (const [uri, said] of [
      [
        'file:///etc/passwd',
        /^uri: not a memory resource; expected switchboard:\/\/memory\/\{kind\}\/\{key\}/,
      ],
      ['switchboard://memory/user', /^uri: not a memory resource/],
      ['switchboard://memory/user/a/b', /^uri: not a memory resource/],
      ['switchboard://memory/planet/x', /^uri: kind: /],
      ['switchboard://memory/user/a%20b', /^uri: key: may hold letters/],
    ] as const) {
      const { sut, sent } = setup({ items: [] });
      const e = await failure(() => sut.read(ann, uri));
      expect(e).toBeInstanceOf(ProtocolError);
      expect({ uri, e }).toMatchObject({
        uri,
        e: { code: -32602, message: expect.stringMatching(said) },
      });
      expect(sent).toEqual([]);
    }
  });
});
