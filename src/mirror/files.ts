// New item files, written with the archive's atomic protocol (temporary file,
// fsync, rename, fsync the directory) a batch at a time, off the main thread.
//
// The main thread allocates the items' ids; a writer thread (this module
// again, as a worker) renders them and creates the batch's temporary files with
// plain synchronous calls, issues their fsyncs all at once (the journal commits
// concurrent flushes together), renames them and fsyncs the directory, once per
// batch. Meanwhile the main thread goes on with the next items and stores the rows
// of the batches already durable (onBatch), so the disk work and the system
// calls overlap the CPU work of the ingest instead of adding to it.
// Ids are allocated here, for every new file of the mirror, as the Archive
// would (one scan of the site's directory, then counting down in memory).
import fs from 'node:fs';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData, type WorkerOptions } from 'node:worker_threads';
import { ArchiveFormatError, FIRST_ID, itemFileName, renderItem, syncDir, tempName, type Archive, type ArchiveItem } from '../archive/index.ts';

export class ArchiveIdError extends Error {
  override name = 'ArchiveIdError';
}

interface SiteIds {
  next: number;
  used: Set<number>;
}

export interface Written {
  path: string;
  id: number;
}

/** Files per batch: one directory fsync each; the batches in flight bound the open descriptors. */
export const WRITE_BATCH = 128;
/** Batches handed to the writer thread before the oldest is awaited (up to 1,024 open files): each waits for its directory fsync. */
const IN_FLIGHT = 8;
const ROLE = 'feedmirror-item-writer';

interface WireError {
  name: string;
  message: string;
  code?: string;
}

interface BatchRequest {
  seq: number;
  dir: string;
  /** Also fsync this directory (the site directory was just created in it). */
  parent?: string;
  maxNameBytes: number;
  jobs: { id: number; time: number; title: string; url: string; html: string }[];
}

interface BatchReply {
  seq: number;
  /** Per job: null when its file is in place. */
  errors: (WireError | null)[];
  /** Per job: the file's name. */
  files: string[];
  /** The directory could not be flushed: the renames of the batch may not survive a crash. */
  dirError?: WireError;
}

const wire = (e: unknown): WireError => {
  const err = e as NodeJS.ErrnoException;
  return { name: String(err?.name ?? 'Error'), message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined };
};

const unwire = (w: WireError): Error => {
  const e = new Error(w.message) as NodeJS.ErrnoException;
  if (w.name !== 'Error') e.name = w.name;
  if (w.code) e.code = w.code;
  return e;
};

const fsync = (fd: number): Promise<void> => new Promise((ok, fail) => fs.fsync(fd, (e) => (e ? fail(e) : ok())));

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Nothing more to do with it.
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Left for the start-up cleanup (cleanupTemp).
  }
}

/**
 * fsyncs a directory for everything renamed in it before the call: a flush
 * already running may have missed those renames, so callers wait for the next
 * one, which serves all of them (the batches in flight share flushes instead
 * of taking turns on the thread pool).
 */
const dirSyncs = new Map<string, { waiting: { ok: () => void; fail: (e: unknown) => void }[] }>();

function dirSync(dir: string): Promise<void> {
  return new Promise((ok, fail) => {
    let d = dirSyncs.get(dir);
    if (d) {
      d.waiting.push({ ok, fail });
      return;
    }
    d = { waiting: [{ ok, fail }] };
    dirSyncs.set(dir, d);
    const state = d;
    void (async () => {
      while (state.waiting.length) {
        const now = state.waiting.splice(0);
        try {
          await syncDir(dir);
          for (const w of now) w.ok();
        } catch (e) {
          for (const w of now) w.fail(e);
        }
      }
      dirSyncs.delete(dir);
    })();
  });
}

/** The writer thread's part: render, create, fsync (all at once), rename, fsync the directory. */
async function writeBatch(req: BatchRequest): Promise<BatchReply> {
  const errors: (WireError | null)[] = req.jobs.map(() => null);
  const files = req.jobs.map((j) => itemFileName(j.id, j.title, req.maxNameBytes));
  const temps = files.map((f) => path.basename(tempName(f)));
  const fds = req.jobs.map((j, k) => {
    let fd = -1;
    try {
      const text = renderItem(j);
      fd = fs.openSync(path.join(req.dir, temps[k]), 'wx', 0o644);
      fs.writeSync(fd, text);
      return fd;
    } catch (e) {
      errors[k] = wire(e);
      if (fd >= 0) closeQuietly(fd);
      removeQuietly(path.join(req.dir, temps[k]));
      return -1;
    }
  });
  // While these wait for the disk, the next batch's message is handled (its files created).
  const synced = await Promise.all(fds.map((fd) => (fd < 0 ? undefined : fsync(fd).then(() => undefined, (e: unknown) => e))));
  req.jobs.forEach((_, k) => {
    const fd = fds[k];
    if (fd < 0) return;
    const tmp = path.join(req.dir, temps[k]);
    try {
      if (synced[k]) {
        closeQuietly(fd);
        throw synced[k];
      }
      fs.closeSync(fd);
      fs.renameSync(tmp, path.join(req.dir, files[k]));
    } catch (e) {
      errors[k] = wire(e);
      removeQuietly(tmp);
    }
  });
  const reply: BatchReply = { seq: req.seq, errors, files };
  try {
    // One flush of the directory makes every rename of the batch durable.
    await dirSync(req.dir);
    if (req.parent) await syncDir(req.parent);
  } catch (e) {
    reply.dirError = wire(e);
  }
  return reply;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const port = parentPort!;
  port.on('message', (req: BatchRequest) => {
    writeBatch(req).then(
      (r) => port.postMessage(r),
      (e: unknown) => port.postMessage({ seq: req.seq, errors: req.jobs.map(() => wire(e)), files: [] } satisfies BatchReply),
    );
  });
}

/** How to start this module as the writer thread; from source (tests), through tsx's loader, which workers do not inherit. */
function entry(): [string | URL, WorkerOptions] {
  const options = { workerData: { role: ROLE } };
  if (!import.meta.url.endsWith('.ts')) return [new URL(import.meta.url), options];
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return [`import(${api}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`, { ...options, eval: true }];
}

/** The process's writer thread, started on first use; it keeps the process alive only while it has work. */
class WriterThread {
  private worker: Worker;
  private seq = 0;
  private pending = new Map<number, { ok: (r: BatchReply) => void; fail: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(...entry());
    this.worker.unref();
    this.worker.on('message', (r: BatchReply) => {
      const p = this.pending.get(r.seq);
      this.pending.delete(r.seq);
      if (!this.pending.size) this.worker.unref();
      p?.ok(r);
    });
    const down = (e: Error): void => {
      if (thread === this) thread = undefined;
      for (const p of this.pending.values()) p.fail(e);
      this.pending.clear();
    };
    this.worker.on('error', down);
    this.worker.on('exit', (code) => down(new Error(`the item writer thread exited (code ${code})`)));
  }

  send(req: Omit<BatchRequest, 'seq'>): Promise<BatchReply> {
    const seq = ++this.seq;
    return new Promise((ok, fail) => {
      this.pending.set(seq, { ok, fail });
      this.worker.ref();
      this.worker.postMessage({ ...req, seq });
    });
  }
}

let thread: WriterThread | undefined;

export class ItemWriter {
  private ids = new Map<string, Promise<SiteIds>>();

  constructor(readonly archive: Archive, private readonly batch = WRITE_BATCH) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`write batch must be a positive integer, got ${String(batch)}`);
  }

  private siteIds(dir: string): Promise<SiteIds> {
    let p = this.ids.get(dir);
    if (!p) {
      p = this.archive.list(dir).then((files) => {
        const used = new Set(files.map((f) => f.id));
        const lowest = files.reduce((m, f) => Math.min(m, f.id), FIRST_ID + 1);
        return { next: lowest - 1, used };
      });
      p.catch(() => this.ids.delete(dir));
      this.ids.set(dir, p);
    }
    return p;
  }

  /** Forgets what is known of a site's ids (its directory changed behind our back). */
  forget(dir: string): void {
    this.ids.delete(dir);
  }

  /**
   * Writes new item files into a site; `id` fixes an item's id (refused if taken).
   * Each entry gets its path, or the error that kept it from being written.
   * See WriteSession for onBatch and what a throw means.
   */
  async write(site: string, items: readonly NewFile[], onBatch?: OnBatch): Promise<(Written | Error)[]> {
    const s = await this.begin(site, onBatch);
    for (const item of items) await s.add(item);
    return s.end();
  }

  /** Starts writing new files into a site, item by item (the site's ids are read once). */
  async begin(site: string, onBatch?: OnBatch): Promise<WriteSession> {
    const dir = this.archive.siteDir(site);
    return new WriteSession(this.archive, dir, await this.siteIds(dir), this.batch, onBatch);
  }
}

export type NewFile = ArchiveItem & { id?: number };
export type OnBatch = (done: readonly number[], out: readonly (Written | Error)[]) => void;

interface Job {
  i: number;
  id: number;
  item: { id: number; time: number; title: string; url: string; html: string };
}

/**
 * New files of one site, handed over one at a time (in the order their ids are
 * to count down) and written a batch at a time. `onBatch` is called, in order,
 * with the indexes of each batch's items once their files are durable, while
 * later batches are still being written. end() gives every item its path or its
 * error; it throws when the directory cannot be created or flushed, or the
 * writer thread fails: files renamed by then are complete, and adopted at the
 * next start (reconcile); batches reported to onBatch before are durable.
 */
export class WriteSession {
  private readonly abs: string;
  private readonly out: (Written | Error)[] = [];
  private items: NewFile[] = [];
  private from = 0;
  private made: boolean | undefined;
  private readonly flight: { jobs: Job[]; reply: Promise<BatchReply> }[] = [];
  private fatal: Error | undefined;

  constructor(
    private readonly archive: Archive,
    private readonly dir: string,
    private readonly ids: SiteIds,
    private readonly batch: number,
    private readonly onBatch?: OnBatch,
  ) {
    this.abs = path.join(archive.root, 'articles', dir);
  }

  /** Queues an item (its index is the number of items added before); writes a batch when one is full. */
  async add(item: NewFile): Promise<void> {
    this.items.push(item);
    this.out.push(undefined as unknown as Written);
    if (this.items.length >= this.batch) await this.dispatch();
  }

  /** Writes what is queued and waits for every batch. */
  async end(): Promise<(Written | Error)[]> {
    try {
      if (this.items.length) await this.dispatch();
      while (this.flight.length && !this.fatal) await this.settle(this.flight.shift()!);
    } finally {
      // Batches still in flight only after a failure: let them finish before reporting.
      await Promise.allSettled(this.flight.map((b) => b.reply));
    }
    if (this.fatal) throw this.fatal;
    return this.out;
  }

  /** Renders the queued items, allocates their ids, and hands them to the writer thread. */
  private async dispatch(): Promise<void> {
    const items = this.items;
    const from = this.from;
    this.items = [];
    this.from += items.length;
    if (this.fatal) {
      items.forEach((_, k) => (this.out[from + k] = this.fatal!));
      return;
    }
    const { ids, dir } = this;
    const jobs: Job[] = [];
    items.forEach((item, k) => {
      const i = from + k;
      try {
        if (item.time === undefined) throw new ArchiveIdError('a new item needs a time');
        checkItem(item); // before an id is spent
        let id: number;
        if (item.id !== undefined) {
          if (!Number.isSafeInteger(item.id) || item.id < 0) throw new ArchiveIdError(`item id must be a non-negative integer, got ${String(item.id)}`);
          if (ids.used.has(item.id)) throw new ArchiveIdError(`${dir}: id ${item.id} is taken`);
          id = item.id;
          if (id <= ids.next) ids.next = id - 1;
        } else {
          while (ids.used.has(ids.next)) ids.next--;
          if (ids.next < 0) throw new ArchiveIdError(`${dir}: no ids left`);
          id = ids.next--;
        }
        ids.used.add(id);
        jobs.push({ i, id, item: { id, time: item.time, title: item.title, url: item.url, html: item.html } });
      } catch (e) {
        this.out[i] = e as Error;
      }
    });
    if (!jobs.length) return;
    let parent: string | undefined;
    try {
      if (this.made === undefined) {
        this.made = makeDir(this.abs);
        if (this.made) parent = path.dirname(this.abs);
      }
    } catch (e) {
      this.fatal = e as Error;
      for (const j of jobs) {
        ids.used.delete(j.id);
        this.out[j.i] = this.fatal;
      }
      return;
    }
    const reply = (thread ??= new WriterThread()).send({ dir: this.abs, parent, maxNameBytes: this.archive.maxNameBytes, jobs: jobs.map((j) => j.item) });
    reply.catch(() => undefined); // settled (and its failure reported) in order, by settle()
    this.flight.push({ jobs, reply });
    if (this.flight.length >= IN_FLIGHT) await this.settle(this.flight.shift()!);
  }

  private async settle(b: { jobs: Job[]; reply: Promise<BatchReply> }): Promise<void> {
    let r: BatchReply;
    try {
      r = await b.reply;
    } catch (e) {
      this.fatal ??= e as Error;
      for (const j of b.jobs) this.out[j.i] = this.fatal;
      return;
    }
    const done: number[] = [];
    b.jobs.forEach((j, k) => {
      const e = r.errors[k];
      if (e) {
        this.ids.used.delete(j.id);
        this.out[j.i] = unwire(e);
      } else {
        this.out[j.i] = { path: `articles/${this.dir}/${r.files[k]}`, id: j.id };
        done.push(j.i);
      }
    });
    if (r.dirError) this.fatal ??= unwire(r.dirError);
    else if (done.length) this.onBatch?.(done, this.out);
  }
}

/**
 * The checks renderItem makes (it runs in the writer thread, once the id is
 * allocated), so that an item it would refuse spends no id.
 */
function checkItem(item: ArchiveItem): void {
  if (typeof item.title !== 'string' || typeof item.url !== 'string' || typeof item.html !== 'string') {
    throw new ArchiveFormatError('renderItem: title, url and html must be strings');
  }
  if (item.time !== undefined && !Number.isSafeInteger(item.time)) {
    throw new ArchiveFormatError(`renderItem: time must be an integer number of milliseconds, got ${String(item.time)}`);
  }
}

/** Creates the site directory if needed; true if it was created (its parent then needs a flush too). */
function makeDir(abs: string): boolean {
  try {
    fs.mkdirSync(abs);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw e;
    fs.mkdirSync(abs, { recursive: true });
    return true;
  }
}
