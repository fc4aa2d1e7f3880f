// The console's login: one technician password, set on first use, kept as a PBKDF2-HMAC-SHA256
// hash (FIPS-approved, unlike scrypt) in a 0600 file of the state directory, and a limiter for
// failed attempts. The password itself is never stored, logged or sent back.
import { pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { promises as fs } from "node:fs";
import { promisify } from "node:util";
import { atomicWriteFile } from "../util/atomic-file.js";
import { ConsoleError } from "./errors.js";

const pbkdf2Async = promisify(pbkdf2);

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. About 0.3 s on the 2 vCPU reference machine. */
export const PBKDF2_DEFAULT_ITERATIONS = 600_000;
/** Below this a stored hash is refused as damaged (tests may go down to it, never below). */
export const PBKDF2_MIN_ITERATIONS = 1_000;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FILE_SCHEMA = 1;
const ALGORITHM = "PBKDF2-HMAC-SHA256";

interface PasswordRecord {
  schemaVersion: number;
  algorithm: string;
  iterations: number;
  salt: string;
  hash: string;
  setAt: string;
}

/** PBKDF2-HMAC-SHA256 of the password (NFKC-normalised, as SP 800-63B suggests), 32 bytes. */
export async function hashPassword(password: string, salt: Uint8Array, iterations: number, length = HASH_BYTES): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password.normalize("NFKC"), "utf8"), salt, iterations, length, "sha256");
}

export function checkPasswordPolicy(password: unknown): string {
  if (typeof password !== "string") throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "the password must be a string");
  const n = [...password.normalize("NFKC")].length;
  if (n < PASSWORD_MIN_LENGTH) throw new ConsoleError("ERR_CONSOLE_PASSWORD_WEAK", `the password must have at least ${PASSWORD_MIN_LENGTH} characters`);
  if (n > PASSWORD_MAX_LENGTH) throw new ConsoleError("ERR_CONSOLE_PASSWORD_WEAK", `the password must have at most ${PASSWORD_MAX_LENGTH} characters`);
  return password;
}

export interface PasswordFileOptions {
  /** Iterations for new hashes (default PBKDF2_DEFAULT_ITERATIONS). */
  iterations?: number;
  now?: () => Date;
}

/** The password file: absent until the first-use setup. */
export class PasswordFile {
  private record: PasswordRecord | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly iterations: number,
    private readonly now: () => Date,
  ) {}

  /** Loads the file when it exists. Throws ERR_CONSOLE_AUTH_FILE when it is damaged or too open. */
  static async open(path: string, opts: PasswordFileOptions = {}): Promise<PasswordFile> {
    const iterations = opts.iterations ?? PBKDF2_DEFAULT_ITERATIONS;
    if (!Number.isInteger(iterations) || iterations < PBKDF2_MIN_ITERATIONS) throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", `PBKDF2 iterations must be an integer >= ${PBKDF2_MIN_ITERATIONS}`);
    const pf = new PasswordFile(path, iterations, opts.now ?? (() => new Date()));
    let text: string;
    try {
      const st = await fs.stat(path);
      if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
        throw new ConsoleError("ERR_CONSOLE_AUTH_FILE", `${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, { file: path });
      }
      text = await fs.readFile(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return pf;
      if (e instanceof ConsoleError) throw e;
      throw new ConsoleError("ERR_CONSOLE_AUTH_FILE", `cannot read ${path}: ${(e as Error).message}`, { file: path, cause: e });
    }
    pf.record = parseRecord(text, path);
    return pf;
  }

  get isSet(): boolean {
    return this.record !== undefined;
  }

  /** When the password was set (for the UI), or null. */
  get setAt(): string | null {
    return this.record?.setAt ?? null;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** First-use setup: fails with ERR_CONSOLE_PASSWORD_SET once a password exists. */
  setInitial(password: string): Promise<void> {
    return this.exclusive(async () => {
      if (this.record) throw new ConsoleError("ERR_CONSOLE_PASSWORD_SET", "a console password is already set: log in with it");
      await this.write(checkPasswordPolicy(password));
    });
  }

  /** Replaces the password (the caller has checked the current one). */
  change(password: string): Promise<void> {
    return this.exclusive(async () => this.write(checkPasswordPolicy(password)));
  }

  private async write(password: string): Promise<void> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await hashPassword(password, salt, this.iterations);
    const rec: PasswordRecord = {
      schemaVersion: FILE_SCHEMA,
      algorithm: ALGORITHM,
      iterations: this.iterations,
      salt: salt.toString("base64"),
      hash: hash.toString("base64"),
      setAt: this.now().toISOString(),
    };
    atomicWriteFile(this.path, JSON.stringify(rec, null, 2) + "\n", 0o600);
    this.record = rec;
  }

  /**
   * Checks a password in constant time (one full PBKDF2 either way). A hash made with fewer
   * iterations than configured is upgraded on a successful check.
   */
  async verify(password: unknown): Promise<boolean> {
    const rec = this.record;
    if (!rec) throw new ConsoleError("ERR_CONSOLE_PASSWORD_NOT_SET", "no console password yet: set one first");
    if (typeof password !== "string" || password.length > PASSWORD_MAX_LENGTH * 4) return false;
    const want = Buffer.from(rec.hash, "base64");
    const got = await hashPassword(password, Buffer.from(rec.salt, "base64"), rec.iterations, want.length);
    const ok = got.length === want.length && timingSafeEqual(got, want);
    if (ok && rec.iterations < this.iterations) await this.exclusive(async () => this.write(password));
    return ok;
  }
}

function parseRecord(text: string, path: string): PasswordRecord {
  let r: Partial<PasswordRecord>;
  try {
    r = JSON.parse(text) as Partial<PasswordRecord>;
  } catch (e) {
    throw new ConsoleError("ERR_CONSOLE_AUTH_FILE", `${path} is damaged (not JSON): remove it to set a new console password`, { file: path, cause: e });
  }
  const salt = typeof r.salt === "string" ? Buffer.from(r.salt, "base64") : Buffer.alloc(0);
  const hash = typeof r.hash === "string" ? Buffer.from(r.hash, "base64") : Buffer.alloc(0);
  if (
    r.schemaVersion !== FILE_SCHEMA ||
    r.algorithm !== ALGORITHM ||
    !Number.isInteger(r.iterations) ||
    (r.iterations as number) < PBKDF2_MIN_ITERATIONS ||
    (r.iterations as number) > 100_000_000 ||
    salt.length < 16 ||
    hash.length !== HASH_BYTES ||
    typeof r.setAt !== "string"
  ) {
    throw new ConsoleError("ERR_CONSOLE_AUTH_FILE", `${path} is damaged (unexpected content): remove it to set a new console password`, { file: path });
  }
  return r as PasswordRecord;
}

export interface LoginLimiterOptions {
  /** Consecutive failures from one source before it is locked out (default 5). */
  maxFailures?: number;
  /** First lock-out; doubles with each further lock-out of the same source (default 30 s). */
  lockMs?: number;
  /** Longest lock-out (default 15 min). */
  maxLockMs?: number;
  /** Failures from all sources together per minute before every login waits (default 30). */
  globalPerMinute?: number;
  now?: () => number;
}

interface SourceState {
  failures: number;
  locks: number;
  lockedUntil: number;
  lastSeen: number;
}

const MAX_SOURCES = 4096;

/**
 * Failed-login limiter. A source (an IPv4 address, or an IPv6 /64) is locked out after
 * `maxFailures` consecutive failures, for `lockMs` doubling up to `maxLockMs`; besides, all
 * sources together get `globalPerMinute` failures a minute. A locked-out attempt is refused
 * before the password is even hashed.
 */
export class LoginLimiter {
  private readonly sources = new Map<string, SourceState>();
  private globalFailures: number[] = [];
  private readonly o: Required<Omit<LoginLimiterOptions, "now">>;
  private readonly now: () => number;

  constructor(opts: LoginLimiterOptions = {}) {
    this.o = { maxFailures: opts.maxFailures ?? 5, lockMs: opts.lockMs ?? 30_000, maxLockMs: opts.maxLockMs ?? 15 * 60_000, globalPerMinute: opts.globalPerMinute ?? 30 };
    this.now = opts.now ?? Date.now;
  }

  static sourceKey(ip: string): string {
    const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (v4) return v4[1]!;
    if (ip.includes(":")) {
      // group by /64: one host often owns a whole /64
      const full = expandIpv6(ip);
      return full ? `${full.slice(0, 4).join(":")}::/64` : ip;
    }
    return ip;
  }

  /** Throws ERR_CONSOLE_RATE_LIMITED (with retryAfterSeconds) when `ip` may not try now. */
  check(ip: string): void {
    const t = this.now();
    const s = this.sources.get(LoginLimiter.sourceKey(ip));
    if (s && s.lockedUntil > t) throw limited(s.lockedUntil - t, "too many failed logins from this address");
    this.globalFailures = this.globalFailures.filter((x) => x > t - 60_000);
    if (this.globalFailures.length >= this.o.globalPerMinute) {
      throw limited(this.globalFailures[0]! + 60_000 - t, "too many failed logins on this console");
    }
  }

  failure(ip: string): void {
    const t = this.now();
    const key = LoginLimiter.sourceKey(ip);
    let s = this.sources.get(key);
    if (!s) {
      this.evict(t);
      s = { failures: 0, locks: 0, lockedUntil: 0, lastSeen: t };
      this.sources.set(key, s);
    }
    s.lastSeen = t;
    s.failures++;
    this.globalFailures.push(t);
    if (s.failures >= this.o.maxFailures) {
      s.lockedUntil = t + Math.min(this.o.lockMs * 2 ** s.locks, this.o.maxLockMs);
      s.locks++;
      s.failures = 0;
    }
  }

  success(ip: string): void {
    this.sources.delete(LoginLimiter.sourceKey(ip));
  }

  private evict(t: number): void {
    if (this.sources.size < MAX_SOURCES) return;
    for (const [k, s] of this.sources) if (s.lockedUntil < t && t - s.lastSeen > this.o.maxLockMs) this.sources.delete(k);
    if (this.sources.size < MAX_SOURCES) return;
    // still full: drop the oldest entry (its source starts again from zero failures)
    let oldest: string | undefined;
    let when = Infinity;
    for (const [k, s] of this.sources) if (s.lastSeen < when) [oldest, when] = [k, s.lastSeen];
    if (oldest !== undefined) this.sources.delete(oldest);
  }
}

function limited(ms: number, why: string): ConsoleError {
  const secs = Math.max(1, Math.ceil(ms / 1000));
  return new ConsoleError("ERR_CONSOLE_RATE_LIMITED", `${why}: try again in ${secs} s`, { retryAfterSeconds: secs });
}

function expandIpv6(ip: string): string[] | undefined {
  const bare = ip.replace(/%.*$/, "");
  const [head, tail] = bare.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const fill = 8 - h.length - t.length;
  if (fill < 0) return undefined;
  return [...h, ...Array(tail === undefined ? 0 : fill).fill("0"), ...t].map((g) => g.toLowerCase().padStart(4, "0"));
}
