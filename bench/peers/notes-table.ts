// The app's own notes table, the same for both peers: what the demo's last step writes.
import type pg from 'pg';

export async function createNotesTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS notes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id text NOT NULL,
    content text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`);
}

/** INSERTs one note; returns it with its new id. */
export async function insertNote(
  pool: pg.Pool,
  userId: string,
  content: string,
): Promise<{ id: string; content: string }> {
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO notes (user_id, content) VALUES ($1, $2) RETURNING id',
    [userId, content],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('notes: the INSERT returned no id');
  return { id, content };
}
