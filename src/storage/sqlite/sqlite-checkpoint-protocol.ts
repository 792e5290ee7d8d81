/** What the checkpoint thread is started with (workerData). */
export interface CheckpointInit {
  path: string;
}

export type ToCheckpointer = { type: 'checkpoint'; id: number } | { type: 'close' };

export type FromCheckpointer =
  | { type: 'ready' }
  /** log: frames in the WAL; checkpointed: how many of them are now in the database file. */
  | { type: 'checkpointed'; id: number; log: number; checkpointed: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };
