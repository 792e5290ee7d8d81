import { createHash, randomBytes } from 'node:crypto';
import type { Role } from './tokens.js';

export interface Session {
  role: Role;
  name: string;
  expiresAt: number;
  /** The hash of the token it was started with; none for OIDC sessions. */
  tokenHash?: Buffer;
}

/**
 * UI sessions, in memory: a restart signs everyone out, which is the safe direction. The cookie holds a
 * 256-bit random id; the map is keyed by its sha256, so a heap dump holds no usable cookie. Bounded: past
 * `max` sessions the oldest is dropped.
 */
export class Sessions {
  private readonly byHash = new Map<string, Session>();

  constructor(
    readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(role: Role, name: string, tokenHash?: Buffer): string {
    const id = randomBytes(32).toString('base64url');
    if (this.byHash.size >= this.max) this.byHash.delete(this.byHash.keys().next().value!);
    const session: Session = { role, name, expiresAt: this.now() + this.ttlMs };
    if (tokenHash) session.tokenHash = tokenHash;
    this.byHash.set(hash(id), session);
    return id;
  }

  /** Ends every session `keep` refuses (after AUTH_TOKENS_FILE is re-read: tokens removed or re-roled). */
  retain(keep: (s: Session) => boolean): void {
    for (const [k, s] of this.byHash) if (!keep(s)) this.byHash.delete(k);
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const key = hash(id);
    const s = this.byHash.get(key);
    if (s && s.expiresAt <= this.now()) {
      this.byHash.delete(key);
      return undefined;
    }
    return s;
  }

  end(id: string | undefined): void {
    if (id) this.byHash.delete(hash(id));
  }
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/**
 * Failed sign-ins per client address: past `limit` within `windowMs`, further attempts are refused with
 * the seconds to wait, without checking the token. Bounded by dropping the oldest address past `max`.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 5 * 60_000,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0 when an attempt may be made. */
  retryAfter(client: string): number {
    const recent = this.recent(client);
    if (recent.length < this.limit) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(client: string): void {
    const recent = this.recent(client);
    recent.push(this.now());
    this.failures.delete(client);
    if (this.failures.size >= this.max) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(client, recent);
  }

  private recent(client: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(client) ?? []).filter((t) => t > since);
  }
}
