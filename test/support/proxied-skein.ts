import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from './server.js';
import { TcpProxy } from './tcp-proxy.js';

/** A Skein on a database of its own, reached through a TCP proxy a test can cut and restore. */
export interface ProxiedSkein {
  server: RunningSkein;
  proxy: TcpProxy;
  /** Restores the proxy, stops the server, closes the proxy and drops the database. */
  close(): Promise<void>;
}

export interface ProxiedSkeinOptions {
  /** The real database server the proxy forwards to. */
  target: { host: string; port: number };
  /** Creates the test's own database; `drop` removes it afterwards. */
  createDatabase(): Promise<{ name: string; drop: () => Promise<void> }>;
  /** Skein's settings for that database, reached at 127.0.0.1:`port` (the proxy). */
  env(port: number, database: string): Record<string, string>;
}

/**
 * Starts Skein on a database of its own behind a TcpProxy: the outage tests' database that really goes
 * away (the shared server itself keeps running). Each store gives its own database and settings.
 */
export async function startSkeinOnProxied(o: ProxiedSkeinOptions): Promise<ProxiedSkein> {
  const db = await o.createDatabase();
  const proxy = await TcpProxy.start(o.target);
  const server = await startTestServer(o.env(proxy.port, db.name));
  return {
    server,
    proxy,
    close: async () => {
      await proxy.restore();
      await server.close();
      await proxy.close();
      await db.drop();
    },
  };
}
