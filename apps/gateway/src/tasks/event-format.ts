import type { Tasks } from '@switchboard/contracts';

/**
 * How one HTTP surface writes a task's events as SSE frames. Formats may keep per-stream state (the
 * AG-UI run translator does), so a new one is made for each stream.
 */
export interface EventFormat {
  /** Label of the stream in metrics. */
  readonly kind: string;
  /** Frames written as soon as the stream opens. */
  opening(): string[];
  /** Frames for one task event (possibly none); the caller only reads the list. */
  frames(event: Tasks.TaskEvent): readonly string[];
}

/** One SSE frame: optional `id:` and `event:` lines and the data as one JSON line. */
export function sseFrame(data: unknown, opts: { id?: string; event?: string } = {}): string {
  let frame = '';
  if (opts.id !== undefined) frame += `id: ${opts.id}\n`;
  if (opts.event) frame += `event: ${opts.event}\n`;
  return `${frame}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Frames of events shared by many streams are serialised once (the follower shares event objects), and
 * handed to every stream as the same list.
 */
const namedFrames = new WeakMap<Tasks.TaskEvent, readonly string[]>();

/** Named SSE events (`/orchestrate/stream`): `id: <seq>`, `event: <name>`, the task event as data. */
export class NamedEventFormat implements EventFormat {
  readonly kind = 'named';

  opening(): string[] {
    return [];
  }

  frames(event: Tasks.TaskEvent): readonly string[] {
    let frames = namedFrames.get(event);
    if (frames === undefined) {
      frames = [sseFrame(event, { id: String(event.seq), event: event.name })];
      namedFrames.set(event, frames);
    }
    return frames;
  }
}
