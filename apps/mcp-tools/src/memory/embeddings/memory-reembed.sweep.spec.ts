import { jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { PrismaService } from '../../prisma/prisma.service.js';
import type { MemoryEmbedder } from './memory-embedder.js';
import { MemoryReembedSweep } from './memory-reembed.sweep.js';

const rows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ id: `id-${from + i}`, content: `text ${from + i}` }));

const setup = (pages: { id: string; content: string }[][], opts: { enabled?: boolean } = {}) => {
  const queryRaw = jest.fn(async () => pages.shift() ?? []);
  // What the UPDATE stored: every row it was given (the content check is PostgreSQL's).
  const executeRaw = jest.fn(
    async (_sql: unknown, ...values: unknown[]) => (values[1] as string[]).length,
  );
  const embed = jest.fn(async (texts: readonly string[]) =>
    texts.map(() => new Float32Array([1, 0])),
  );
  const info = jest.fn();
  const embedder = {
    enabled: opts.enabled ?? true,
    model: opts.enabled === false ? undefined : 'stub@2',
    embed,
  } as unknown as MemoryEmbedder;
  const sweep = new MemoryReembedSweep(
    { $queryRaw: queryRaw, $executeRaw: executeRaw } as unknown as PrismaService,
    embedder,
    { MEMORY_EMBEDDINGS_REEMBED_MS: 1_000 },
    { info, warn: jest.fn() } as unknown as Logger,
  );
  return { sweep, queryRaw, executeRaw, embed, info };
};

describe(MemoryReembedSweep.name, () => {
  it('embeds batches until one is not full, one request a batch, and logs the total', async () => {
    const { sweep, embed, executeRaw, info } = setup([rows(64), rows(3, 64)]);
    await expect(sweep.sweep()).resolves.toBe(67);
    expect(embed).toHaveBeenCalledTimes(2);
    expect(embed.mock.calls[1]?.[0]).toEqual(['text 64', 'text 65', 'text 66']);
    expect(executeRaw).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenCalledWith({ embedded: 67, model: 'stub@2' }, expect.any(String));
  });

  it('stops at a failed request and stores nothing of that batch', async () => {
    const { sweep, embed, executeRaw } = setup([rows(64), rows(64, 64)]);
    embed.mockResolvedValueOnce(undefined as never);
    await expect(sweep.sweep()).resolves.toBe(0);
    expect(embed).toHaveBeenCalledTimes(1);
    expect(executeRaw).not.toHaveBeenCalled();
  });

  it('drains a backlog over several sweeps, at most 50 batches each', async () => {
    const { sweep, embed } = setup(Array.from({ length: 60 }, (_, i) => rows(64, i * 64)));
    await expect(sweep.sweep()).resolves.toBe(50 * 64);
    expect(embed).toHaveBeenCalledTimes(50);
  });

  it('starts no timer without an embeddings endpoint', () => {
    const spy = jest.spyOn(global, 'setInterval');
    setup([], { enabled: false }).sweep.onModuleInit();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
