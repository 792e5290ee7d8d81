import { createConnection } from 'node:net';

/**
 * Whether a test that needs a real service (a database, a broker, the zipkin-server jar) must fail when the
 * service is missing instead of skipping: under CI=true or SKEIN_REQUIRE_SERVICES=1 a skip would hide a
 * broken backend behind a green run.
 */
export function servicesRequired(): boolean {
  return process.env.CI === 'true' || process.env.SKEIN_REQUIRE_SERVICES === '1';
}

/** Whether something accepts TCP connections on host:port within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Decides, once per test file, whether its service is there. Returns true when it is. When it is not:
 * throws (so the file fails) if services are required, else prints a loud message and returns false so
 * the file can `describe.skipIf(!available)`.
 *
 *   const available = await requireService('PostgreSQL', '127.0.0.1', 5432);
 *   describe.skipIf(!available)('postgres', () => { ... });
 */
export async function requireService(name: string, host: string, port: number): Promise<boolean> {
  if (await tcpReachable(host, port)) return true;
  return serviceMissing(name, `nothing listens on ${host}:${port}`);
}

/** The same decision for a service found some other way (a jar in the Maven cache, a binary on PATH). */
export function serviceMissing(name: string, why: string): false {
  const message = `${name} is not available (${why})`;
  if (servicesRequired()) {
    throw new Error(`${message}; CI=true or SKEIN_REQUIRE_SERVICES=1 requires it: start it (see .ci/run)`);
  }
  console.warn(`\n*** SKIPPING tests that need ${message}. They fail under CI=true. ***\n`);
  return false;
}
