// Console sessions, in memory: an opaque random id in an HttpOnly cookie, and a CSRF token the page
// sends back in a header on every state-changing request (the synchronizer-token pattern). A session
// exists before login too, so that the login and first-use forms are CSRF-protected as well; logging
// in replaces the session (new id, new token) against session fixation.
import { randomBytes, timingSafeEqual } from "node:crypto";

export interface Session {
  readonly id: string;
  readonly csrfToken: string;
  readonly authenticated: boolean;
  readonly createdAt: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** Idle time after which a logged-in session ends (default 15 min). */
  idleMs?: number;
  /** Longest a logged-in session lasts, active or not (default 8 h). */
  absoluteMs?: number;
  /** Idle time after which a not-logged-in session is dropped (default 10 min). */
  anonymousIdleMs?: number;
  /** Sessions kept at once; the oldest not-logged-in ones go first (default 256). */
  maxSessions?: number;
  now?: () => number;
}

const token = () => randomBytes(32).toString("base64url");

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly o: Required<Omit<SessionStoreOptions, "now">>;
  private readonly now: () => number;

  constructor(opts: SessionStoreOptions = {}) {
    this.o = { idleMs: opts.idleMs ?? 15 * 60_000, absoluteMs: opts.absoluteMs ?? 8 * 3600_000, anonymousIdleMs: opts.anonymousIdleMs ?? 10 * 60_000, maxSessions: opts.maxSessions ?? 256 };
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, t: number): boolean {
    if (s.authenticated) return t - s.lastSeen > this.o.idleMs || t - s.createdAt > this.o.absoluteMs;
    return t - s.lastSeen > this.o.anonymousIdleMs;
  }

  /** The live session with this id (its idle clock restarts), or undefined. */
  get(id: string | undefined, touch = true): Session | undefined {
    if (!id || id.length > 128) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.sessions.delete(id);
      return undefined;
    }
    if (touch) s.lastSeen = t;
    return s;
  }

  /** A new not-logged-in session. */
  createAnonymous(): Session {
    return this.add(false);
  }

  /** Replaces `old` (if any) by a new logged-in session. */
  login(old: Session | undefined): Session {
    if (old) this.sessions.delete(old.id);
    return this.add(true);
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every logged-in session except `keep` (after a password change). */
  destroyAuthenticated(keep?: string): void {
    for (const [id, s] of this.sessions) if (s.authenticated && id !== keep) this.sessions.delete(id);
  }

  /** Constant-time comparison of the request's token with the session's. */
  static csrfMatches(s: Session, presented: unknown): boolean {
    if (typeof presented !== "string") return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(s.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private add(authenticated: boolean): Session {
    const t = this.now();
    this.prune(t);
    const s: Session = { id: token(), csrfToken: token(), authenticated, createdAt: t, lastSeen: t };
    this.sessions.set(s.id, s);
    return s;
  }

  private prune(t: number): void {
    for (const [id, s] of this.sessions) if (this.expired(s, t)) this.sessions.delete(id);
    while (this.sessions.size >= this.o.maxSessions) {
      let victim: Session | undefined;
      for (const s of this.sessions.values()) {
        if (!victim || (victim.authenticated && !s.authenticated) || (victim.authenticated === s.authenticated && s.lastSeen < victim.lastSeen)) victim = s;
      }
      if (!victim) break;
      this.sessions.delete(victim.id);
    }
  }
}
