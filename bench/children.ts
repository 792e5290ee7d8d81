import { fork, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * A forked TypeScript child (run through tsx) and the messages it sends, consumed in order. Waiting for a
 * message rejects when the child exits first, with the tail of its log.
 */
export class Child<In, Out extends { type: string }> {
  private readonly queue: Out[] = [];
  private waiter: ((m: Out) => void) | undefined;
  private failed: Error | undefined;
  private onFail: ((e: Error) => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    readonly logPath: string,
  ) {
    proc.on('message', (m: Out) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(m);
      } else this.queue.push(m);
    });
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code) => {
        this.failed = new Error(
          `${name} exited (code ${code}) before answering; log ${logPath}:\n${tail(logPath)}`,
        );
        this.onFail?.(this.failed);
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send(m: In): void {
    this.proc.send(m as object);
  }

  /** The next message; it must have type `type` (an 'error' message from the child rejects). */
  async next<T extends Out['type']>(type: T, timeoutMs = 30 * 60_000): Promise<Extract<Out, { type: T }>> {
    const m = await new Promise<Out>((resolve, reject) => {
      const queued = this.queue.shift();
      if (queued) return resolve(queued);
      if (this.failed) return reject(this.failed);
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiter = (msg) => {
        clearTimeout(timer);
        resolve(msg);
      };
      this.onFail = (e) => {
        clearTimeout(timer);
        reject(e);
      };
    });
    if (m.type !== type)
      throw new Error(`${this.name}: expected '${type}' but got ${JSON.stringify(m).slice(0, 2000)}`);
    return m as Extract<Out, { type: T }>;
  }

  async stop(stopMessage: In): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.send(stopMessage as object);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

export interface ForkOptions {
  /** Absolute path of the script; default bench/<file>. */
  path?: string;
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  args?: string[];
  logPath: string;
}

/** Forks bench/<file> under tsx with its stdout and stderr going to logPath. */
export function forkChild<In, Out extends { type: string }>(
  name: string,
  file: string,
  opts: ForkOptions,
): Child<In, Out> {
  const log = openSync(opts.logPath, 'a');
  const proc = fork(opts.path ?? here(file), opts.args ?? [], {
    execArgv: ['--import', 'tsx', ...(opts.nodeArgs ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  return new Child<In, Out>(name, proc, opts.logPath);
}

/**
 * CPU seconds (user + system, every thread: main, GC helpers, libuv pool, workers) a process has used,
 * from /proc/<pid>/stat. The clock tick is 1/100 s on Linux; runs are long enough for that not to matter.
 */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / 100;
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}
