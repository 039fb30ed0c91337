// API credentials: one random API password per account, separate from the web
// password (apps keep it on phones; rotating it must not lock the web reader).
// Stored as SHA-256 (it is random, so no slow hash is needed, and every API
// request checks it) and as md5(username:password), which Fever clients send.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/index.ts';
import { Throttle } from '../throttle/index.ts';

export const ACCOUNT = 'admin';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function same(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** Letters and digits without look-alikes (typed by hand into phone apps); ~5.8 bits each. */
function randomPassword(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // Rejection keeps every character equally likely.
      if (b < 256 - (256 % ALPHABET.length) && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

export interface ApiAccount {
  account: string;
  username: string;
}

export interface CredentialInfo extends ApiAccount {
  created: number;
}

export class Credentials {
  private readonly throttle: Throttle;

  constructor(readonly db: Database, private readonly now: () => number = Date.now) {
    this.throttle = new Throttle({ limit: 20, now });
  }

  info(account = ACCOUNT): CredentialInfo | undefined {
    return this.db.prepare('SELECT account, username, created FROM api_credentials WHERE account = ?').get(account) as CredentialInfo | undefined;
  }

  /**
   * A new API password (returned once, never stored in clear); the old one and
   * every session made with it stop working.
   */
  rotate(account = ACCOUNT, username = account): { username: string; password: string } {
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new Error('username: 1-64 letters, digits or . _ @ -');
    const password = randomPassword(24);
    this.db.transaction(() => {
      this.db.prepare(`INSERT INTO api_credentials (account, username, password_hash, fever_key, created) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (account) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash,
          fever_key = excluded.fever_key, created = excluded.created`)
        .run(account, username, sha256(password), md5(`${username}:${password}`), this.now());
      this.db.prepare('DELETE FROM api_tokens WHERE account = ?').run(account);
    }).immediate();
    return { username, password };
  }

  /** Username and API password (ClientLogin, HTTP basic). */
  check(username: unknown, password: unknown): ApiAccount | undefined {
    if (typeof username !== 'string' || typeof password !== 'string' || password.length > 200 || username.length > 200) return undefined;
    const r = this.db.prepare('SELECT account, username, password_hash AS h FROM api_credentials WHERE username = ?').get(username) as (ApiAccount & { h: string }) | undefined;
    if (!r || !same(sha256(password), r.h)) return undefined;
    return { account: r.account, username: r.username };
  }

  /** The API password alone (Miniflux X-Auth-Token). */
  checkToken(token: unknown): ApiAccount | undefined {
    if (typeof token !== 'string' || !token || token.length > 200) return undefined;
    return this.db.prepare('SELECT account, username FROM api_credentials WHERE password_hash = ?').get(sha256(token)) as ApiAccount | undefined;
  }

  /** Fever's api_key: md5(username:password), hex. */
  checkFever(key: unknown): ApiAccount | undefined {
    if (typeof key !== 'string' || !/^[0-9a-fA-F]{32}$/.test(key)) return undefined;
    return this.db.prepare('SELECT account, username FROM api_credentials WHERE fever_key = ?').get(key.toLowerCase()) as ApiAccount | undefined;
  }

  /** A session token for Google Reader clients (ClientLogin's Auth). */
  issueToken(account: string): string {
    const token = `${account}/${randomBytes(24).toString('hex')}`;
    this.db.prepare('INSERT INTO api_tokens (hash, account, created) VALUES (?, ?, ?)').run(sha256(token), account, this.now());
    return token;
  }

  checkSession(token: unknown): ApiAccount | undefined {
    if (typeof token !== 'string' || !token || token.length > 200) return undefined;
    return this.db.prepare(`SELECT c.account, c.username FROM api_tokens t JOIN api_credentials c ON c.account = t.account WHERE t.hash = ?`)
      .get(sha256(token)) as ApiAccount | undefined;
  }

  /** The edit token (T) of a session: derived, so nothing more is stored. */
  static editToken(session: string): string {
    return sha256(`T:${session}`).slice(0, 57);
  }

  /** Too many wrong credentials from one address lately. */
  throttled(ip: string): boolean {
    return this.throttle.throttled(ip);
  }

  failed(ip: string): void {
    this.throttle.failed(ip);
  }
}
