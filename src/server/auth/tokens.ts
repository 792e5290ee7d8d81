import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../config-error.js';

/**
 * Roles a token grants. `ingest`: the collectors (and Jaeger sampling, which reporters ask). `read`: the
 * query APIs, the UI and the metrics. `admin`: everything.
 */
export const ROLES = ['ingest', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a token of `role` may do what needs `need`. */
export function grants(role: Role, need: Exclude<Role, 'admin'> | 'admin'): boolean {
  return role === 'admin' || role === need;
}

export interface TokenEntry {
  /** sha256 of the token, 32 bytes. */
  hash: Buffer;
  role: Role;
  name: string;
}

/** What a presented credential is: none at all, one that matches no token, or a token's entry. */
export type Authentication =
  | { kind: 'missing' }
  | { kind: 'invalid' }
  | { kind: 'token'; role: Role; name: string; hash: Buffer };

/**
 * AUTH_TOKENS_FILE, one token a line: `sha256:<64 hex> <role> <name>`; `#` starts a comment. Only the
 * hash is stored. Tokens are 256 random bits, so an unsalted fast hash cannot be searched backwards (a
 * slow KDF is for passwords people choose); it also lets every request be checked without a per-token
 * cost. The file is the only state: `skein token create` appends a line.
 */
export function parseTokensFile(text: string, file: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  text.split('\n').forEach((line, i) => {
    const s = line.replace(/#.*/, '').trim();
    if (s === '') return;
    const m = /^sha256:([0-9a-f]{64})\s+(\S+)(?:\s+(.*))?$/.exec(s);
    const where = `AUTH_TOKENS_FILE ${file} line ${i + 1}`;
    if (!m) throw new ConfigError(`${where}: expected "sha256:<64 hex digits> <role> <name>" (create one with skein token create)`);
    const role = m[2] as Role;
    if (!ROLES.includes(role)) throw new ConfigError(`${where}: role "${m[2]}" is not one of ${ROLES.join(', ')}`);
    out.push({ hash: Buffer.from(m[1]!, 'hex'), role, name: (m[3] ?? '').trim() || `line ${i + 1}` });
  });
  return out;
}

export function loadTokensFile(file: string): TokenEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`AUTH_TOKENS_FILE: cannot read ${file}: ${(e as Error).message}`);
  }
  return parseTokensFile(text, file);
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A new token: `skein_` and 32 random bytes in base64url (43 characters). */
export function newToken(): string {
  return `skein_${randomBytes(32).toString('base64url')}`;
}

/**
 * Creates a token with `role`, appends its hash to `file` (created with mode 0600) and returns the token,
 * which is shown once and stored nowhere.
 */
export function createToken(file: string, role: Role, name: string): string {
  if (/[\r\n#]/.test(name)) throw new ConfigError('a token name cannot hold a line break or #');
  const token = newToken();
  const line = `sha256:${hashToken(token).toString('hex')} ${role} ${name}\n`;
  if (existsSync(file)) {
    loadTokensFile(file); // refuse to append to a file Skein could not read back
    appendFileSync(file, line);
  } else writeFileSync(file, `# Skein tokens (AUTH_TOKENS_FILE): sha256 of each token, role, name\n${line}`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/**
 * Checks credentials against the tokens. Every entry is compared (crypto.timingSafeEqual over the
 * hashes, no early exit), so the time taken says nothing about which bytes matched or which entry.
 */
export class TokenVerifier {
  constructor(private entries: TokenEntry[]) {}

  /** Replaces the tokens (AUTH_TOKENS_FILE re-read). */
  replace(entries: TokenEntry[]): void {
    this.entries = entries;
  }

  verifyToken(token: string): Authentication {
    const h = hashToken(token);
    let found: TokenEntry | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.hash, h) && !found) found = e;
    return found ? { kind: 'token', role: found.role, name: found.name, hash: found.hash } : { kind: 'invalid' };
  }

  /** Whether a token with this hash still has this role (sessions started with a removed token end). */
  holds(hash: Buffer, role: Role): boolean {
    return this.entries.some((e) => e.role === role && e.hash.equals(hash));
  }

  /**
   * An `Authorization` header value: `Bearer <token>`, or `Basic base64(user:password)` with the token as
   * the password (or as the user when the password is empty), for reporters that can only send Basic.
   */
  verifyHeader(header: string | undefined): Authentication {
    const token = credentialOf(header);
    return token === undefined ? { kind: 'missing' } : this.verifyToken(token);
  }
}

/** The token in an Authorization header value, or undefined when there is none. */
export function credentialOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(\S+)\s+(.+?)\s*$/.exec(header);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme === 'bearer') return m[2]!;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return decoded;
  const password = decoded.slice(colon + 1);
  return password !== '' ? password : decoded.slice(0, colon);
}
