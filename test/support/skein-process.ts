import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every listener except the query port off; the query port ephemeral (never a fixed port in tests). */
const QUIET_ENV = {
  QUERY_PORT: '0',
  OTLP_HTTP_PORT: 'off',
  OTLP_GRPC_PORT: 'off',
  JAEGER_AGENT_COMPACT_PORT: 'off',
  JAEGER_AGENT_BINARY_PORT: 'off',
  JAEGER_HTTP_PORT: 'off',
  JAEGER_GRPC_PORT: 'off',
  JAEGER_SAMPLING_PORT: 'off',
  JAEGER_QUERY_PORT: 'off',
  JAEGER_ADMIN_PORT: 'off',
  LOG_LEVEL: 'info',
};

export interface SkeinProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
}

export interface SkeinProcessOptions {
  /** Node arguments that start the server; default: src/server/main.ts through tsx. */
  args?: string[];
  /** Working directory; default: the repository root. */
  cwd?: string;
}

/**
 * Starts the real server (src/server/main.ts through tsx, so no build step is needed) as a child process
 * and resolves once it logs the port it serves on. The node binary runs the server directly, so a signal
 * sent to `child` reaches the server itself, not a wrapper.
 */
export async function startSkeinProcess(
  env: Record<string, string>,
  options: SkeinProcessOptions = {},
): Promise<SkeinProcess> {
  const child = spawn(process.execPath, options.args ?? ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...QUIET_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"port":(\d+)[^\n]*serving on/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code, signal) =>
      reject(new Error(`skein exited before serving (code ${code}, signal ${signal}):\n${out}`)),
    );
  });
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => out };
}

/**
 * Runs the server to its exit (for starts that must be refused) and returns its exit code and output.
 * Killed after `deadlineMs` if it has not exited, which shows in the output.
 */
export async function runSkeinProcessToExit(
  env: Record<string, string>,
  deadlineMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...QUIET_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => {
    output += `\n[test: still running after ${deadlineMs} ms, killed]`;
    child.kill('SIGKILL');
  }, deadlineMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

export async function killHard(p: SkeinProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = once(p.child, 'exit');
  p.child.kill('SIGKILL');
  await exited;
}

export async function stopGracefully(p: SkeinProcess): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  const exited = once(p.child, 'exit') as Promise<[number | null, string | null]>;
  p.child.kill('SIGTERM');
  const [code] = await exited;
  return code;
}
