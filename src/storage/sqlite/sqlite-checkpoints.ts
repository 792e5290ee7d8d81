import type { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { FromCheckpointer, ToCheckpointer } from './sqlite-checkpoint-protocol.js';
import { startWorker } from './sqlite-worker-start.js';

/** Least time between the starts of two background passes: each one costs two fsyncs. */
const MIN_PASS_INTERVAL_MS = 100;
/**
 * Below this WAL size (frames, RETENTION_MAX_BYTES under 64 MiB) the writer checkpoints itself as before:
 * a small budget leaves no room for the WAL to run ahead of the checkpoints.
 */
const MIN_RESTART_FRAMES = 1024;
/** Longest the writer holds commits back so the WAL can start over (see drain below). */
const MAX_DRAIN_MS = 250;

/**
 * Checkpoints on the checkpoint thread (sqlite-checkpoint-worker.ts) instead of inside the writer's commits.
 *
 * A checkpoint only copies pages; the WAL file starts over from its beginning only when a write
 * transaction begins while every frame is already copied and no reader still uses them. Under steady
 * ingest the writer begins its next transaction right after its last commit, so a background checkpoint
 * is never caught up at that moment and the WAL would grow without end. So when the WAL reaches the size
 * at which the writer used to checkpoint, the writer "drains": it holds its next commit (requests queue
 * up and go in one bigger transaction) until a pass has copied everything, at most MAX_DRAIN_MS. That
 * pass has little left to copy, since the earlier ones did most of it.
 *
 * The writer connection keeps an auto-checkpoint at twice that size (the whole WAL allowance retention
 * budgets for) as a safety net (a reader
 * holding an old snapshot, a checkpoint thread that died), and gets the original one back if the thread
 * fails.
 */
export class BackgroundCheckpoints {
  private worker: Worker | undefined;
  private nextId = 1;
  private inFlight: { id: number; commitsAtStart: number } | undefined;
  private lastStart = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining = false;
  private drainTimer: NodeJS.Timeout | undefined;
  /** wal_autocheckpoint as openWriteConnection set it: the WAL size (frames) at which to drain. */
  private readonly restartFrames: number;

  constructor(
    private readonly db: Database,
    path: string,
    private readonly commits: () => number,
    /** Called when the writer may commit again after a drain. */
    private readonly onDrained: () => void,
    private readonly warn: (msg: string, err: string) => void,
  ) {
    this.restartFrames = db.pragma('wal_autocheckpoint', { simple: true }) as number;
    if (this.restartFrames < MIN_RESTART_FRAMES) return;
    const worker = startWorker('sqlite-checkpoint-worker', { path });
    this.worker = worker;
    worker.on('message', (m: FromCheckpointer) => this.onMessage(m));
    worker.on('error', (e: Error) => this.stop(e.message));
    worker.on('exit', (code) => this.stop(`checkpoint thread exited (code ${code})`));
  }

  /** False while the writer should hold its next commit back. */
  mayCommit(): boolean {
    return !this.draining;
  }

  afterCommit(): void {
    if (!this.worker || this.inFlight || this.timer || this.draining) return;
    const wait = this.lastStart + MIN_PASS_INTERVAL_MS - Date.now();
    if (wait <= 0) this.pass();
    else
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.inFlight) this.pass();
      }, wait);
  }

  private pass(): void {
    if (!this.worker) return;
    const id = this.nextId++;
    this.inFlight = { id, commitsAtStart: this.commits() };
    this.lastStart = Date.now();
    this.worker.postMessage({ type: 'checkpoint', id } satisfies ToCheckpointer);
  }

  private onMessage(m: FromCheckpointer): void {
    switch (m.type) {
      case 'ready':
        // Until now the writer's own auto-checkpoint was the only one.
        this.db.pragma(`wal_autocheckpoint = ${this.restartFrames * 2}`);
        break;
      case 'failed':
        this.inFlight = undefined;
        this.warn('sqlite background checkpoint failed', m.message);
        this.endDrain();
        break;
      case 'checkpointed': {
        const started = this.inFlight;
        this.inFlight = undefined;
        if (this.draining) {
          const caughtUp = m.checkpointed === m.log && started?.commitsAtStart === this.commits();
          if (caughtUp) this.endDrain();
          else this.pass();
        } else if (m.log >= this.restartFrames) {
          this.draining = true;
          this.drainTimer = setTimeout(() => this.endDrain(), MAX_DRAIN_MS);
          this.pass();
        }
        break;
      }
      default:
        break;
    }
  }

  private endDrain(): void {
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    if (!this.draining) return;
    this.draining = false;
    this.onDrained();
  }

  /** The thread is gone: back to the writer's own auto-checkpoint. */
  private stop(err: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight = undefined;
    try {
      this.db.pragma(`wal_autocheckpoint = ${this.restartFrames}`);
    } catch {
      // The writer connection is closing.
    }
    this.warn('sqlite checkpoint thread stopped; the writer checkpoints again', err);
    this.endDrain();
  }

  /** Closes the thread's connection first, so the writer's close is the last one and cleans the WAL up. */
  close(): Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.drainTimer);
    this.draining = false;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      worker.on('message', (m: FromCheckpointer) => m.type === 'closed' && resolve());
      worker.on('exit', () => resolve());
      worker.postMessage({ type: 'close' } satisfies ToCheckpointer);
    });
  }
}
