import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { serviceMissing } from './require-service.js';

/** The release scripts/zipkin-server.sh fetches; keep the two in step. */
export const ZIPKIN_VERSION = process.env.ZIPKIN_VERSION ?? '3.5.1';

/** Where scripts/zipkin-server.sh leaves the exec jar: the user's Maven repository, never the repo. */
export function zipkinJarPath(): string {
  if (process.env.ZIPKIN_SERVER_JAR) return process.env.ZIPKIN_SERVER_JAR;
  const repo = process.env.MAVEN_REPO ?? join(homedir(), '.m2', 'repository');
  return join(
    repo,
    'io',
    'zipkin',
    'zipkin-server',
    ZIPKIN_VERSION,
    `zipkin-server-${ZIPKIN_VERSION}-exec.jar`,
  );
}

/**
 * Whether the jar and a java to run it are there. When not, fails under CI=true (serviceMissing throws)
 * and otherwise returns false after a loud message, so the file can `describe.skipIf(!available)`.
 */
export function zipkinServerAvailable(): boolean {
  const jar = zipkinJarPath();
  if (!existsSync(jar))
    return serviceMissing('zipkin-server', `${jar} is missing: run scripts/zipkin-server.sh`);
  return true;
}

export interface RunningZipkin {
  url: string;
  /** Kills the JVM and resolves once it has exited (or was force-killed after a deadline). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `java -jar zipkin-server-exec.jar` with STORAGE_TYPE=mem on a free QUERY_PORT and waits, up to
 * `timeoutMs`, for /health to answer UP. On a loaded 2-core machine the JVM takes 10 to 40 s to start.
 */
export async function startZipkinServer(
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<RunningZipkin> {
  const port = await freePort();
  const child = spawn('java', ['-Xms64m', '-Xmx512m', '-XX:TieredStopAtLevel=1', '-jar', zipkinJarPath()], {
    env: {
      ...process.env,
      STORAGE_TYPE: 'mem',
      QUERY_PORT: String(port),
      SELF_TRACING_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the tail of the log to explain a failed start; the JVM's output is otherwise noise in the test log.
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited(child);
    clearTimeout(killed);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`zipkin-server exited with ${child.exitCode} before /health was UP:\n${log}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && ((await res.json()) as { status?: string }).status === 'UP') return { url, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for zipkin-server /health on ${url} to be UP:\n${log}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
