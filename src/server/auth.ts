// One administrator: a scrypt-hashed password, random session ids stored hashed,
// a CSRF token per session, and a brake on password guessing.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Database } from '../store/index.ts';
import { Throttle } from '../throttle/index.ts';

const ADMIN = 'admin';
const KEYLEN = 32;
// N=2^15, r=8: ~32 MB and a few tens of ms per attempt; stored with the hash so it can grow.
const PARAMS = { N: 1 << 15, r: 8, p: 1 };

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((ok, fail) => scryptCb(password, salt, keylen, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (e, k) => (e ? fail(e) : ok(k))));
}

/** "scrypt$N$r$p$salt$hash" (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEYLEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) || N > 1 << 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const want = Buffer.from(parts[5], 'base64url');
  if (!want.length) return false;
  const got = await scrypt(password.normalize('NFC'), salt, want.length, { N, r, p });
  return timingSafeEqual(got, want);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface Session {
  account: string;
  csrf: string;
  expires: number;
}

export interface AuthOptions {
  /** Session lifetime, ms (default 30 days). */
  sessionTtl?: number;
  now?: () => number;
}

export class Auth {
  readonly sessionTtl: number;
  private readonly now: () => number;
  private readonly throttle: Throttle;

  constructor(readonly db: Database, opts: AuthOptions = {}) {
    this.sessionTtl = opts.sessionTtl ?? 30 * 86_400_000;
    this.now = opts.now ?? Date.now;
    this.throttle = new Throttle({ limit: 10, now: this.now });
  }

  hasAdmin(): boolean {
    return !!this.db.prepare('SELECT 1 FROM reader_accounts WHERE name = ?').get(ADMIN);
  }

  async setPassword(password: string): Promise<void> {
    if (password.length < 8) throw new Error('the administrator password needs at least 8 characters');
    if (password.length > 1024) throw new Error('the administrator password is too long (at most 1024 characters)');
    const hash = await hashPassword(password);
    this.db.prepare(`INSERT INTO reader_accounts (name, password, created) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET password = excluded.password`).run(ADMIN, hash, this.now());
    // A new password ends every session made with the old one.
    this.db.prepare('DELETE FROM reader_sessions WHERE account = ?').run(ADMIN);
  }

  /**
   * At start: FEEDMIRROR_ADMIN_PASSWORD (if given) becomes the password; without
   * it, a first start makes a random one and returns it (to print once).
   */
  async ensureAdmin(envPassword?: string): Promise<{ generated?: string }> {
    if (envPassword) {
      const row = this.db.prepare('SELECT password FROM reader_accounts WHERE name = ?').get(ADMIN) as { password: string } | undefined;
      if (!row || !(await verifyPassword(envPassword, row.password))) await this.setPassword(envPassword);
      return {};
    }
    if (this.hasAdmin()) return {};
    const generated = randomBytes(12).toString('base64url');
    await this.setPassword(generated);
    return { generated };
  }

  /** Too many wrong passwords from one address lately: wait. */
  throttled(ip: string): boolean {
    return this.throttle.throttled(ip);
  }

  /** Checks the password; returns a new session's token, or undefined. */
  async login(password: string, ip: string): Promise<{ token: string; session: Session } | undefined> {
    const row = this.db.prepare('SELECT password FROM reader_accounts WHERE name = ?').get(ADMIN) as { password: string } | undefined;
    const ok = !!row && typeof password === 'string' && password.length <= 1024 && (await verifyPassword(password, row.password));
    if (!ok) {
      this.throttle.failed(ip);
      return undefined;
    }
    this.throttle.clear(ip);
    const now = this.now();
    this.db.prepare('DELETE FROM reader_sessions WHERE expires <= ?').run(now);
    const token = randomBytes(32).toString('base64url');
    const session: Session = { account: ADMIN, csrf: randomBytes(24).toString('base64url'), expires: now + this.sessionTtl };
    this.db.prepare('INSERT INTO reader_sessions (id, account, csrf, created, expires) VALUES (?, ?, ?, ?, ?)')
      .run(sha256(token), session.account, session.csrf, now, session.expires);
    return { token, session };
  }

  session(token: string | undefined): Session | undefined {
    if (!token || token.length > 100) return undefined;
    const r = this.db.prepare('SELECT account, csrf, expires FROM reader_sessions WHERE id = ?').get(sha256(token)) as Session | undefined;
    if (!r || r.expires <= this.now()) return undefined;
    return r;
  }

  logout(token: string | undefined): void {
    if (token) this.db.prepare('DELETE FROM reader_sessions WHERE id = ?').run(sha256(token));
  }
}

/** Constant-time string comparison. */
export function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || !a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
