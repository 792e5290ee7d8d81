import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { ConfigError } from '../config-error.js';

/** TLS_CERT_FILE, TLS_KEY_FILE and TLS_CLIENT_CA_FILE. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Client certificates signed by this CA are required on the collector-only ports (mTLS). */
  clientCaFile?: string;
}

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE = 0x16;

/**
 * TLS for a listener that accepts its own TCP sockets: `accept(raw, ready)` performs the handshake on an
 * accepted socket and hands over the TLS socket (its ALPN result says HTTP/1.1 or h2). One unlistened
 * tls.Server per front holds the secure context, so `reload()` (SIGHUP) swaps the certificate for new
 * connections while open ones keep theirs. A client speaking plain text gets one line saying to use TLS
 * (an HTTP 400 that browsers and curl show), instead of a handshake error it cannot read.
 */
export class TlsFront {
  /** Never listens: it holds the secure context and does what tls.Server does per socket (ALPN, client certificates). */
  private readonly server: TlsServer;
  /** Sockets in their handshake, by TCP four-tuple (unique among open connections), to their callback. */
  private readonly pending = new Map<string, (secure: TLSSocket) => void>();
  private readonly clientCerts: boolean;

  constructor(
    private readonly files: TlsFiles,
    clientCerts: boolean,
    /** ALPN protocols offered: ['h2', 'http/1.1'] where HTTP/2 is served (h2 first: gRPC clients need it). */
    alpn: string[],
  ) {
    this.clientCerts = clientCerts;
    // requestCert + rejectUnauthorized: a client without a certificate the CA signed never gets a session.
    this.server = createTlsServer({ ...this.contextOptions(), ALPNProtocols: alpn, requestCert: clientCerts, rejectUnauthorized: clientCerts });
    // A failed handshake (wrong CA, no client certificate, garbage) closes that socket only.
    this.server.on('tlsClientError', (_e, socket) => socket.destroy());
    this.server.on('secureConnection', (secure: TLSSocket) => {
      const key = tupleOf(secure);
      const ready = this.pending.get(key);
      this.pending.delete(key);
      if (ready) ready(secure);
      else secure.destroy();
    });
  }

  /** Re-reads the certificate, key and CA; throws (keeping the old ones) when they cannot be read. */
  reload(): void {
    this.server.setSecureContext(this.contextOptions());
  }

  accept(raw: Socket, ready: (secure: TLSSocket) => void): void {
    const sniff = () => {
      const chunk = raw.read() as Buffer | null;
      if (chunk === null) return void raw.once('readable', sniff);
      raw.unshift(chunk);
      if (chunk[0] !== TLS_HANDSHAKE) return refusePlaintext(raw);
      const key = tupleOf(raw);
      this.pending.set(key, ready);
      raw.once('close', () => this.pending.delete(key));
      // The TLS socket replays what the raw socket already buffered (the unshifted bytes) into the handshake.
      this.server.emit('connection', raw);
    };
    raw.once('readable', sniff);
  }

  private contextOptions(): SecureContextOptions {
    const read = (key: string, file: string) => {
      try {
        return readFileSync(file);
      } catch (e) {
        throw new ConfigError(`${key}: cannot read ${file}: ${(e as Error).message}`);
      }
    };
    return {
      cert: read('TLS_CERT_FILE', this.files.certFile),
      key: read('TLS_KEY_FILE', this.files.keyFile),
      ...(this.clientCerts && this.files.clientCaFile ? { ca: read('TLS_CLIENT_CA_FILE', this.files.clientCaFile) } : {}),
    };
  }
}

function tupleOf(s: Socket): string {
  return `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;
}

function refusePlaintext(raw: Socket): void {
  const body = 'This port requires TLS: connect with https:// (or a TLS-enabled client)\n';
  raw.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  raw.resume();
}

/** What a listener needs of TLS: to turn an accepted TCP socket into a TLS one (or refuse it). */
export interface SocketUpgrade {
  accept(raw: Socket, ready: (secure: TLSSocket) => void): void;
}

/** TLS settings as config.ts gives them, or null (plain TCP, the default). */
export function parseTlsFiles(cert: string, key: string, ca: string): TlsFiles | null {
  const [c, k, a] = [cert.trim(), key.trim(), ca.trim()];
  if (c === '' && k === '') {
    if (a !== '') throw new ConfigError('TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE (client certificates are checked over TLS)');
    return null;
  }
  if (c === '' || k === '') throw new ConfigError(`${c === '' ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'}: TLS needs both TLS_CERT_FILE and TLS_KEY_FILE`);
  return { certFile: c, keyFile: k, ...(a === '' ? {} : { clientCaFile: a }) };
}
