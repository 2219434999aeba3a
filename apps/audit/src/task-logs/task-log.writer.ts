import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DEFAULT_TENANT, type Tasks } from '@switchboard/contracts';
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AuditEnv } from '../config/audit.env.js';
import { placeEvent, taskFolderPath } from './task-log.layout.js';
import { applyEvent, newMetadata, type TaskLogMetadata } from './task-log.metadata.js';

const INDEX_DIR = '.index';
const CACHED = 5_000;

/** A small insertion-ordered cache that forgets its oldest entries. */
class Bounded<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}

/** The tenant whose folder a task folder is in (the default tenant's are at the top). */
function tenantOfFolder(folder: string): string {
  const parent = dirname(folder);
  return parent === '.' ? DEFAULT_TENANT : parent;
}

/**
 * Writes the per-task hierarchical log (docs/task-logs.md) from task events:
 *
 *   {TASK_LOG_DIR}/{ISO-timestamp}_{8-char task hash}/metadata.json
 *                                                   /orchestrator/main.jsonl
 *                                                   /orchestrator/raw/{seq}_{event}.json
 *                                                   /mcp/{step_id}/main.jsonl
 *                                                   /agents/{step_id}/main.jsonl
 *
 * for the default tenant's tasks (the layout from before tenants), and the same under
 * {TASK_LOG_DIR}/{tenant}/ for any other tenant's. A task stays in the folder it was given first.
 *
 * Idempotent under redelivery: every line carries its event's seq and a seq already in a file is not
 * written again; raw files are rewritten whole; metadata.json is rebuilt by idempotent updates and
 * replaced atomically. A line half-written by a crash is cut off before the file is appended to again.
 */
@Injectable()
export class TaskLogWriter {
  readonly root: string;
  // What is cached of a task is for the batches of events still to come: a task that has ended is
  // forgotten (writeTask), so these hold the running tasks, not the history (a late or redelivered
  // event of an ended task reads its files back). CACHED only bounds them should many run at once.
  private readonly folders = new Bounded<string, string>(CACHED);
  /** The seqs in each main file of a task, by task folder then file path. */
  private readonly seqs = new Bounded<string, Map<string, Set<number>>>(CACHED);
  /** metadata.json as last written, by task folder: saves reading it back for every batch. */
  private readonly metas = new Bounded<string, TaskLogMetadata>(CACHED);
  /** The index folder exists (made once per writer: retention never removes it). */
  private indexMade = false;

  constructor(@Inject(APP_CONFIG) config: Pick<AuditEnv, 'TASK_LOG_DIR'>) {
    this.root = resolve(config.TASK_LOG_DIR);
  }

  /**
   * Writes events, each task's folder once; `tenants` names the tenant of tasks (by id) whose folder
   * is still to be made (any other: the default tenant). Returns how many tasks were written.
   */
  async write(
    events: readonly Tasks.TaskEvent[],
    tenants: ReadonlyMap<string, string> = new Map(),
  ): Promise<number> {
    const byTask = new Map<string, Tasks.TaskEvent[]>();
    for (const e of events) {
      const list = byTask.get(e.taskId);
      if (list) list.push(e);
      else byTask.set(e.taskId, [e]);
    }
    for (const [taskId, list] of byTask)
      await this.writeTask(taskId, tenants.get(taskId) ?? DEFAULT_TENANT, list);
    return byTask.size;
  }

  /**
   * The folder of a task, relative to the log directory (`<tenant>/…` for a tenant other than the
   * default; undefined if none was created).
   */
  async folderOf(taskId: string): Promise<string | undefined> {
    const cached = this.folders.get(taskId);
    if (cached) return cached;
    const stored = await readFile(join(this.root, INDEX_DIR, taskId), 'utf8').catch(
      () => undefined,
    );
    if (stored) this.folders.set(taskId, stored.trim());
    return stored?.trim();
  }

  /**
   * Whether the task's log on disk has its end and every event before it (seqs 1..the last): an end
   * record sent again finds its log done.
   */
  async ended(taskId: string): Promise<boolean> {
    const folder = await this.folderOf(taskId);
    if (!folder) return false;
    const meta = await this.readMetadata(join(this.root, folder));
    const done =
      !!meta && meta.status !== 'running' && meta.lastSeq > 0 && meta.events === meta.lastSeq;
    // an ended task's folder is not kept in memory (see writeTask)
    if (done) this.folders.delete(taskId);
    return done;
  }

  /** Drops a task's folder and index entry (retention). */
  async remove(taskId: string | undefined, folder: string): Promise<void> {
    await rm(join(this.root, folder), { recursive: true, force: true });
    if (taskId) {
      await rm(join(this.root, INDEX_DIR, taskId), { force: true });
      this.folders.delete(taskId);
    }
    this.seqs.delete(join(this.root, folder));
    this.metas.delete(join(this.root, folder));
  }

  /** How many tasks have something cached (folder, seqs or metadata): the running ones. */
  cachedTasks(): number {
    const folders = [...this.folders.values()].map((f) => join(this.root, f));
    return new Set([...folders, ...this.seqs.keys(), ...this.metas.keys()]).size;
  }

  private async writeTask(
    taskId: string,
    tenantId: string,
    events: Tasks.TaskEvent[],
  ): Promise<void> {
    events.sort((a, b) => a.seq - b.seq);
    const first = events[0] as Tasks.TaskEvent;
    const { folder, made } = await this.ensureFolder(
      taskId,
      tenantId,
      first.seq === 1 ? first.at : events.reduce((m, e) => (e.at < m ? e.at : m), first.at),
    );
    const dir = join(this.root, folder);
    // A folder made just now holds nothing yet (its log is written once, at the task's end): no
    // file is read back, and each sub-folder is made once.
    const madeDirs = new Set<string>(made ? [join(dir, 'orchestrator')] : []);
    const placed = events.map((e) => ({ event: e, ...placeEvent(e) }));
    for (const p of placed) {
      if (!p.raw) continue;
      await this.makeDir(dirname(join(dir, p.raw)), madeDirs);
      await writeFile(join(dir, p.raw), `${JSON.stringify(p.event, null, 2)}\n`);
    }
    // Sub-folders first, orchestrator/main.jsonl last: it is the one a reader follows.
    const files = new Map<string, { seq: number; line: string }[]>();
    for (const p of placed)
      for (const main of p.mains)
        files.set(main, [...(files.get(main) ?? []), { seq: p.event.seq, line: p.line }]);
    const order = [...files.keys()].sort(
      (a, b) => Number(a === 'orchestrator/main.jsonl') - Number(b === 'orchestrator/main.jsonl'),
    );
    let written = new Set<number>();
    for (const rel of order) {
      written = await this.appendLines(dir, join(dir, rel), files.get(rel) ?? [], {
        made,
        dirs: madeDirs,
      });
    }
    const meta =
      structuredClone(this.metas.get(dir)) ??
      (made ? undefined : await this.readMetadata(dir)) ??
      newMetadata({ folder, startedAt: first.at, taskId, tenantId: tenantOfFolder(folder) });
    for (const e of events) applyEvent(meta, e);
    meta.events = written.size;
    meta.lastSeq = Math.max(0, ...written);
    meta.mcp.sort();
    meta.agents.sort();
    const path = join(dir, 'metadata.json');
    await writeFile(`${path}.tmp`, `${JSON.stringify(meta, null, 2)}\n`);
    await rename(`${path}.tmp`, path);
    if (meta.status === 'running') {
      this.metas.set(dir, meta);
    } else {
      // ended: no more batches are coming, so nothing of it needs to stay in memory
      this.folders.delete(taskId);
      this.seqs.delete(dir);
      this.metas.delete(dir);
    }
  }

  /** The task's folder; `made`: created by this call (nothing is in it yet). */
  private async ensureFolder(
    taskId: string,
    tenantId: string,
    startedAt: string,
  ): Promise<{ folder: string; made: boolean }> {
    const known = await this.folderOf(taskId);
    if (known) return { folder: known, made: false };
    const folder = taskFolderPath(tenantId, startedAt, taskId);
    await mkdir(join(this.root, folder, 'orchestrator'), { recursive: true });
    await this.writeIndex(taskId, folder);
    this.folders.set(taskId, folder);
    return { folder, made: true };
  }

  /**
   * Records the task's folder in the index. The index folder is made once per writer; should it
   * have gone since (the log directory removed by hand), it is made again.
   */
  private async writeIndex(taskId: string, folder: string): Promise<void> {
    const path = join(this.root, INDEX_DIR, taskId);
    if (this.indexMade) {
      const gone = await writeFile(path, folder).then(
        () => false,
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
          return true;
        },
      );
      if (!gone) return;
    }
    await mkdir(join(this.root, INDEX_DIR), { recursive: true });
    this.indexMade = true;
    await writeFile(path, folder);
  }

  /** Makes `path` (and its parents) unless `made` says it was made already. */
  private async makeDir(path: string, made: Set<string>): Promise<void> {
    if (made.has(path)) return;
    await mkdir(path, { recursive: true });
    made.add(path);
  }

  /**
   * Appends the lines whose seq the file does not hold yet; returns the file's seqs. In a task folder
   * made by this write (`folder.made`) every file is new: nothing is read back.
   */
  private async appendLines(
    dir: string,
    path: string,
    lines: { seq: number; line: string }[],
    folder: { made: boolean; dirs: Set<string> },
  ): Promise<Set<number>> {
    const files = this.seqs.get(dir) ?? new Map<string, Set<number>>();
    const cached = files.get(path);
    const seqs = cached ?? (folder.made ? new Set<number>() : await this.loadSeqs(path));
    const fresh = lines.filter((l) => !seqs.has(l.seq));
    if (fresh.length) {
      // A cached file was written before, so its folder exists.
      if (!cached) await this.makeDir(dirname(path), folder.dirs);
      await appendFile(path, fresh.map((l) => `${l.line}\n`).join(''));
      for (const l of fresh) seqs.add(l.seq);
    }
    this.seqs.set(dir, files.set(path, seqs));
    return seqs;
  }

  private async loadSeqs(path: string): Promise<Set<number>> {
    const text = await readFile(path, 'utf8').catch(() => '');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // A crash cut the last line short: drop it (its event is being redelivered).
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(Buffer.byteLength(text.slice(0, end)));
      } finally {
        await handle.close();
      }
    }
    const seqs = new Set<number>();
    for (const line of text.slice(0, end).split('\n')) {
      if (!line) continue;
      try {
        const seq = (JSON.parse(line) as { seq?: unknown }).seq;
        if (typeof seq === 'number') seqs.add(seq);
      } catch {
        // a foreign or damaged line: leave it, it has no seq to protect
      }
    }
    return seqs;
  }

  private async readMetadata(dir: string): Promise<TaskLogMetadata | undefined> {
    try {
      return JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as TaskLogMetadata;
    } catch {
      return undefined;
    }
  }
}
