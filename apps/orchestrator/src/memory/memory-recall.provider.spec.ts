import { jest } from '@jest/globals';
import { DomainError, Tools } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { MemoryRecallProvider } from './memory-recall.provider.js';

const item: Tools.RecalledMemory = {
  id: '0b0f6c3e-0c4b-4f55-9a43-2a9a0c1f2b3d',
  namespace: { kind: 'user', key: 'u1' },
  content: 'my favourite number is 7',
  metadata: {},
  writtenBy: { userId: 'u1', taskId: null },
  createdAt: '2026-11-26T10:00:00.000Z',
  updatedAt: '2026-11-26T10:00:00.000Z',
  score: 0.1,
};
const settings = { MEMORY_RECALL: true, MEMORY_RECALL_LIMIT: 3, MEMORY_RECALL_TIMEOUT_MS: 500 };
const actor = { userId: 'u1', role: 'user' };
const request = (task: string, offered = ['memory.recall']) => ({
  taskId: 't1',
  actor,
  task,
  offered: new Set(offered),
  signal: new AbortController().signal,
});

describe(MemoryRecallProvider.name, () => {
  const setup = (answer: () => Promise<unknown>, overrides = {}) => {
    const request = jest.fn(answer);
    const warn = jest.fn();
    const sut = new MemoryRecallProvider(
      { request } as unknown as NatsBus,
      { ...settings, ...overrides },
      { warn } as unknown as Logger,
    );
    return { sut, request, warn };
  };

  it("searches the store as the task's user, with the task's text, once, within its timeout", async () => {
    const { sut, request: sent } = setup(() => Promise.resolve({ items: [item] }));
    await expect(sut.provide(request('what is my favourite number times 6'))).resolves.toEqual({
      recalled: [item],
    });
    expect(sent).toHaveBeenCalledWith(
      Tools.MemorySearch,
      { query: 'what is my favourite number times 6', limit: 3, taskId: 't1' },
      { actor, timeoutMs: 500, retry: false },
    );
  });

  it('asks nothing when memory.recall is not offered, the task is not personal, or recall is off', async () => {
    const { sut, request: sent } = setup(() => Promise.resolve({ items: [item] }));
    expect(await sut.provide(request('what is my number', ['calculator']))).toEqual({});
    expect(await sut.provide(request('what is 17 * 23'))).toEqual({});
    const off = setup(() => Promise.resolve({ items: [item] }), { MEMORY_RECALL: false });
    expect(await off.sut.provide(request('what is my number'))).toEqual({});
    expect(sent).not.toHaveBeenCalled();
    expect(off.request).not.toHaveBeenCalled();
  });

  it('plans without recall when the store does not answer, and says so in the log', async () => {
    const { sut, warn } = setup(() =>
      Promise.reject(new DomainError('UPSTREAM_UNAVAILABLE', 'no responders')),
    );
    await expect(sut.provide(request('what is my number'))).resolves.toEqual({});
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }),
      'memory recall failed; planning without it',
    );
  });
});
