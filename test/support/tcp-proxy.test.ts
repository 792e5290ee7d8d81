import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from './tcp-proxy.js';

/** An echo server stands in for the database: what goes through the proxy comes back. */
let echo: Server;
let echoPort: number;

beforeAll(async () => {
  echo = createServer((s) => s.on('error', () => undefined).pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => echo.close(() => r())));

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => {
      s.off('error', reject);
      s.on('error', () => undefined); // a reset by the proxy is what the tests cause
      resolve(s);
    });
    s.once('error', reject);
  });
}

function roundTrip(s: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('data', (d) => resolve(d.toString()));
    s.once('error', reject);
    s.write(text);
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('TcpProxy', () => {
  it('forwards, resets and refuses on cut, and forwards again on the same port after restore', async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort });
    try {
      const port = proxy.port;
      const a = await connect(port);
      expect(await roundTrip(a, 'hello')).toBe('hello');
      expect(proxy.connections).toBe(1);

      await proxy.cut();
      await closed(a);
      await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      await proxy.restore();
      expect(proxy.port).toBe(port);
      const b = await connect(port);
      expect(await roundTrip(b, 'again')).toBe('again');
      expect(proxy.accepted).toBe(2);
      b.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("in 'hang' mode accepts connections and never answers them", async () => {
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: echoPort });
    try {
      await proxy.cut('hang');
      const s = await connect(proxy.port);
      const answered = await Promise.race([
        roundTrip(s, 'anyone?').then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 300)),
      ]);
      expect(answered).toBe(false);
      await proxy.restore();
      await closed(s); // what was accepted while hanging is reset, never half-forwarded
      const t = await connect(proxy.port);
      expect(await roundTrip(t, 'back')).toBe('back');
      t.destroy();
    } finally {
      await proxy.close();
    }
  });
});
