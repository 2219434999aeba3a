import { rowsDelta, total } from './rows-written.js';

describe('rowsDelta', () => {
  it('keeps the tables written between two counts, new tables included', () => {
    const before = new Map([
      ['db.checkpoints', 10],
      ['db.notes', 2],
      ['db.checkpoint_migrations', 5],
    ]);
    const after = new Map([
      ['db.checkpoints', 16],
      ['db.notes', 3],
      ['db.checkpoint_migrations', 5],
      ['db.checkpoint_blobs', 16],
    ]);
    const delta = rowsDelta(before, after);
    expect(delta).toEqual(
      new Map([
        ['db.checkpoints', 6],
        ['db.notes', 1],
        ['db.checkpoint_blobs', 16],
      ]),
    );
    expect(total(delta)).toBe(23);
  });
});
