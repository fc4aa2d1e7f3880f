// Driver for the libsrtp interop harness (harness.c beside this file's source).
//
// It compiles the harness once against the system libsrtp 2.x (cc + pkg-config libsrtp2), caches
// the binary under a hash of everything that went into it, spawns it, and talks to it over
// stdin/stdout with length-prefixed binary frames (docs/interop-libsrtp.md). Requests are
// pipelined: several calls may be in flight; answers come back in order.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants as fsConstants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InteropError } from "./errors.js";

export { InteropError, type InteropErrorCode } from "./errors.js";

/** Every profile the harness knows, by SDES name. Which of them the linked libsrtp can do is in `LibsrtpHarness.profiles`. */
export const LIBSRTP_PROFILES = [
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
  "AES_192_CM_HMAC_SHA1_80",
  "AES_192_CM_HMAC_SHA1_32",
  "AES_256_CM_HMAC_SHA1_80",
  "AES_256_CM_HMAC_SHA1_32",
  "AEAD_AES_128_GCM",
  "AEAD_AES_256_GCM",
  "NULL_HMAC_SHA1_80",
  "NULL_HMAC_SHA1_32",
] as const;
export type LibsrtpProfileName = (typeof LIBSRTP_PROFILES)[number];

/** The apt packages the harness needs (Debian/Ubuntu). */
export const LIBSRTP_INSTALL = "apt-get install -y build-essential pkg-config libsrtp2-dev";

/** Protocol version spoken by harness.c (HARNESS_PROTOCOL_VERSION). */
const PROTOCOL_VERSION = 1;

const OP = { hello: 1, create: 2, destroy: 3, protect: 4, unprotect: 5, setRoc: 6, getRoc: 7, bench: 8 } as const;
const KIND_CODES = {
  1: "ERR_INTEROP_PROTOCOL",
  2: "ERR_INTEROP_LIBSRTP",
  3: "ERR_INTEROP_UNSUPPORTED",
  4: "ERR_INTEROP_PARAM",
} as const;

/** Largest packet the harness accepts (the largest UDP payload). */
export const LIBSRTP_MAX_PACKET = 65535;
/** The driver splits batches so that one request frame stays below this size. */
const MAX_REQUEST_BYTES = 4 << 20;
const MAX_REQUEST_PACKETS = 1 << 16;
/** Answers larger than this mean the stream is out of step. */
const MAX_RESPONSE_BYTES = 1 << 30;

export interface LibsrtpToolOptions {
  /** C compiler to use; default $CC or "cc". */
  cc?: string;
  /** pkg-config binary; default $PKG_CONFIG or "pkg-config". */
  pkgConfig?: string;
}

export type LibsrtpAvailability = { ok: true } | { ok: false; reason: string; install: string };

/** Whether a C compiler and libsrtp 2 (per pkg-config) are present. Synchronous, cheap. */
export function libsrtpAvailable(opts: LibsrtpToolOptions = {}): LibsrtpAvailability {
  const cc = compilerOf(opts);
  const pkgConfig = pkgConfigOf(opts);
  const ccProbe = spawnSync(cc, ["--version"], { stdio: "ignore" });
  if (ccProbe.error || ccProbe.status !== 0) {
    return { ok: false, reason: `no working C compiler (${cc})`, install: LIBSRTP_INSTALL };
  }
  const pc = spawnSync(pkgConfig, ["--exists", "libsrtp2"], { stdio: "ignore" });
  if (pc.error) return { ok: false, reason: `${pkgConfig} is not installed`, install: LIBSRTP_INSTALL };
  if (pc.status !== 0) return { ok: false, reason: "pkg-config does not know libsrtp2", install: LIBSRTP_INSTALL };
  return { ok: true };
}

export interface LibsrtpHarnessStartParams extends LibsrtpToolOptions {
  /** Where the compiled harness is cached (created if missing). Default: a private per-user directory under os.tmpdir(). */
  cacheDir?: string;
  /** The harness source; default: harness.c of this package. */
  sourcePath?: string;
}

/**
 * Known ways the linked libsrtp departs from the RFCs, detected at start-up by probing it:
 * - "aes192-kdf": AES-192 session keys are derived with the AES-256 PRF over
 *   key || salt || 8 zero octets instead of RFC 6188's AES_192_CM_PRF (cisco/libsrtp issue #763,
 *   fixed by #765 on main and #770 on 2.x in 2025; Debian's 2.5.0 has it). Every AES_192 packet
 *   then differs from an RFC implementation's.
 * - "srtcp-mki-srtp-tag-length": srtp_unprotect_rtcp_mki() finds the MKI using the SRTP tag
 *   length, so SRTCP with an MKI fails with bad_mki whenever the SRTCP tag is longer than the
 *   SRTP tag (the _32 suites), even for libsrtp's own packets (cisco/libsrtp #733/#737, fixed
 *   on 2.x in December 2024). Protecting such SRTCP packets is correct.
 */
export type LibsrtpDeviation = "aes192-kdf" | "srtcp-mki-srtp-tag-length";

export interface LibsrtpProfileInfo {
  name: LibsrtpProfileName;
  /** Whether the linked libsrtp created a session and protected a packet with it at start-up. */
  supported: boolean;
  masterKeyLength: number;
  masterSaltLength: number;
  /** SRTP authentication tag length the harness uses. */
  srtpTagLength: number;
  /** SRTCP authentication tag length the harness uses (RFC pairing: 10 for the _32 suites). */
  srtcpTagLength: number;
  /**
   * What libsrtp's own srtp_crypto_policy_set_from_profile_for_rtp/_rtcp() choose for this suite:
   * "none" when libsrtp has no srtp_profile_t for it, "refused" when a setter returned an error,
   * otherwise the tag lengths and whether the policies are identical to the harness's.
   */
  libsrtpProfileSetter: "none" | "refused" | { srtpTagLength: number; srtcpTagLength: number; samePolicies: boolean };
  /**
   * libsrtp's own srtp_validate*() known answer for this profile, run at start-up: "pass", "fail",
   * or "none" when there is no such vector for the profile (or it is unsupported).
   */
  knownAnswer: "pass" | "fail" | "none";
  /** Departures from the RFCs detected at start-up (empty when none). */
  deviations: LibsrtpDeviation[];
}

export interface LibsrtpMasterKey {
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  /** 1..4 bytes. Either every key of a session has an MKI or the session has exactly one key without. */
  mki?: Uint8Array;
}

export interface LibsrtpSessionParams {
  role: "sender" | "receiver";
  profile: LibsrtpProfileName | string;
  keys: LibsrtpMasterKey[];
  /** Replay window (libsrtp: 64..32767); default libsrtp's 128. */
  replayWindow?: number;
  /** A specific SSRC stream; omitted: the wildcard (any outbound for a sender, any inbound for a receiver). */
  ssrc?: number;
  /** libsrtp's allow_repeat_tx (sender may protect the same sequence number again). */
  allowRepeatTx?: boolean;
  /**
   * Override of the SRTCP tag length, outside the RFC pairing: 4 or 10 for HMAC suites (16 for GCM).
   * Only for reproducing peers that use a 32-bit SRTCP tag with a _32 suite (e.g. baresip's test).
   */
  srtcpTagLength?: number;
}

export interface LibsrtpPacketError {
  /** libsrtp's status name without the prefix, e.g. "auth_fail", "replay_fail", "bad_mki". */
  error: string;
  /** libsrtp's numeric srtp_err_status_t. */
  status: number;
}
export type LibsrtpPacketResult = Uint8Array | LibsrtpPacketError;

export interface LibsrtpBenchParams {
  profile: LibsrtpProfileName | string;
  op: "protect" | "unprotect";
  /** Whole RTP packet (12-byte header + payload) or RTCP packet (multiple of 4) before protection. */
  packetSize: number;
  count: number;
  rtcp?: boolean;
  /** Carry a 1-byte MKI (as Skype for Business does). */
  mki?: boolean;
}

export interface LibsrtpBenchResult {
  /** Packets per second over the timed loops (libsrtp calls only, clock_gettime(CLOCK_MONOTONIC)). */
  pps: number;
  packets: number;
  seconds: number;
}

export function isPacketError(r: LibsrtpPacketResult): r is LibsrtpPacketError {
  return !(r instanceof Uint8Array);
}

// ------------------------------------------------------------------------------------------------
// Building

function compilerOf(opts: LibsrtpToolOptions): string {
  return opts.cc ?? process.env.CC ?? "cc";
}
function pkgConfigOf(opts: LibsrtpToolOptions): string {
  return opts.pkgConfig ?? process.env.PKG_CONFIG ?? "pkg-config";
}

/** harness.c: beside this module when run from source, or in host/ when run from dist/. */
export function defaultHarnessSource(): string {
  const candidates = [
    new URL("./harness.c", import.meta.url),
    new URL("../../../../host/interop/libsrtp/harness.c", import.meta.url),
  ].map((u) => fileURLToPath(u));
  for (const c of candidates) if (existsSync(c)) return c;
  throw new InteropError("ERR_INTEROP_UNAVAILABLE", `harness.c not found (looked in ${candidates.join(", ")})`);
}

const CFLAGS = ["-O2", "-std=c11", "-Wall", "-Wextra"];

/**
 * Compiles the harness (or finds it in the cache) and returns the binary's path. The cache key
 * hashes the source, the compiler's identity, the flags and pkg-config's answer, so an upgraded
 * libsrtp or compiler gets a fresh build.
 */
export async function buildLibsrtpHarness(params: LibsrtpHarnessStartParams = {}): Promise<string> {
  const avail = libsrtpAvailable(params);
  if (!avail.ok) {
    throw new InteropError("ERR_INTEROP_UNAVAILABLE", `libsrtp harness unavailable: ${avail.reason}; install with: ${avail.install}`, {
      install: avail.install,
    });
  }
  const cc = compilerOf(params);
  const pkgConfig = pkgConfigOf(params);
  const sourcePath = params.sourcePath ?? defaultHarnessSource();
  let source: Buffer;
  try {
    source = readFileSync(sourcePath);
  } catch (cause) {
    throw new InteropError("ERR_INTEROP_UNAVAILABLE", `cannot read ${sourcePath}`, { cause });
  }
  const pc = spawnSync(pkgConfig, ["--cflags", "--libs", "libsrtp2"], { encoding: "utf8" });
  if (pc.status !== 0) {
    throw new InteropError("ERR_INTEROP_UNAVAILABLE", `pkg-config --cflags --libs libsrtp2 failed: ${pc.stderr}`, { install: LIBSRTP_INSTALL });
  }
  const pkgFlags = pc.stdout.trim().split(/\s+/).filter((s) => s.length > 0);
  const ccVersion = spawnSync(cc, ["--version"], { encoding: "utf8" }).stdout ?? "";
  const key = createHash("sha256")
    .update(source)
    .update("\0")
    .update(JSON.stringify({ cc, ccVersion, CFLAGS, pkgFlags, platform: process.platform, arch: process.arch }))
    .digest("hex")
    .slice(0, 20);
  const cacheDir = params.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const binary = join(cacheDir, `gwsdk-libsrtp-harness-${key}`);
  if (isExecutable(binary) && isOurs(binary)) return binary;

  // Compile to a private name, then rename: concurrent builders each produce a whole binary.
  const tmp = `${binary}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const result = await run(cc, [...CFLAGS, "-o", tmp, sourcePath, ...pkgFlags]);
  if (result.code !== 0) {
    rmSync(tmp, { force: true });
    throw new InteropError(
      "ERR_INTEROP_BUILD",
      `compiling ${sourcePath} failed (${cc} exit ${result.code ?? result.signal}):\n${result.stderr.slice(-4000)}`,
    );
  }
  try {
    chmodSync(tmp, 0o755);
    renameSync(tmp, binary);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw new InteropError("ERR_INTEROP_BUILD", `cannot install the harness binary at ${binary}`, { cause });
  }
  return binary;
}

/**
 * The default cache: a per-user directory under os.tmpdir(), private (0700) and owned by us, so
 * that another local user cannot plant a binary under the predictable name that we would run.
 */
function defaultCacheDir(): string {
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  const dir = join(tmpdir(), `gwsdk-libsrtp-${uid ?? userInfo().username}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) {
    throw new InteropError("ERR_INTEROP_UNAVAILABLE", `${dir} is not a private directory of this user; remove it or pass cacheDir`);
  }
  return dir;
}

/** A cached binary is reused only if it is ours and nobody else can write it. */
function isOurs(p: string): boolean {
  const st = statSync(p);
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, fsConstants.X_OK);
    return true;
  } catch {
    return false; // absent or not executable: rebuild
  }
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", (e) => resolve({ code: -1, signal: null, stderr: String(e) }));
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

// ------------------------------------------------------------------------------------------------
// Wire encoding

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private n = 4; // frame length goes in front
  private reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.n + k) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }
  u8(v: number): this {
    this.reserve(1);
    this.buf[this.n++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.reserve(4);
    this.buf.writeUInt32LE(v >>> 0, this.n);
    this.n += 4;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
    return this;
  }
  /** u8 length + bytes. */
  bytes8(b: Uint8Array): this {
    if (b.length > 255) throw new InteropError("ERR_INTEROP_PARAM", "field longer than 255 bytes");
    return this.u8(b.length).bytes(b);
  }
  str8(s: string): this {
    return this.bytes8(Buffer.from(s, "utf8"));
  }
  get length(): number {
    return this.n;
  }
  /** The finished frame (length prefix filled in). */
  frame(): Buffer {
    this.buf.writeUInt32LE(this.n - 4, 0);
    return this.buf.subarray(0, this.n);
  }
}

class Reader {
  private off = 0;
  constructor(private readonly b: Buffer) {}
  private need(k: number): void {
    if (this.off + k > this.b.length) throw protocolError("truncated answer from the harness");
  }
  u8(): number {
    this.need(1);
    return this.b[this.off++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.b.readInt32LE(this.off);
    this.off += 4;
    return v;
  }
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    return hi * 2 ** 32 + lo;
  }
  bytes(k: number): Buffer {
    this.need(k);
    const v = this.b.subarray(this.off, this.off + k);
    this.off += k;
    return v;
  }
  str8(): string {
    return this.bytes(this.u8()).toString("utf8");
  }
  end(): void {
    if (this.off !== this.b.length) throw protocolError("trailing bytes in an answer from the harness");
  }
}

function protocolError(message: string, cause?: unknown): InteropError {
  return new InteropError("ERR_INTEROP_PROTOCOL", message, cause === undefined ? undefined : { cause });
}

interface Pending {
  resolve: (body: Buffer) => void;
  reject: (e: Error) => void;
}

// ------------------------------------------------------------------------------------------------
// Start-up probes

interface KnownAnswer {
  profile: LibsrtpProfileName;
  masterKey: string;
  masterSalt: string;
  plaintext: string;
  protected: string;
  /** For AES-192: what a libsrtp with the AES-256-PRF bug (#763) produces instead. */
  aes192KdfBug?: string;
}

/**
 * SRTP known answers from libsrtp's own test driver (cisco/libsrtp test/srtp_driver.c,
 * srtp_validate / _aes_256 / _aes_192 / _gcm; master keys are RFC 3711 B.3, RFC 6188 §7.2 and
 * §7.4 ones). The same values are in tests/vectors/srtp_packets_libsrtp.json, each recomputed
 * independently. The AES-192 "bug" value is what the pre-fix KDF gives (AES-256 PRF keyed with
 * master key || first 8 salt octets, IV from the last 6 salt octets and 8 zero octets), computed
 * with node:crypto and matched by Debian's libsrtp2 2.5.0.
 */
const KNOWN_ANSWERS: readonly KnownAnswer[] = [
  {
    profile: "AES_CM_128_HMAC_SHA1_80",
    masterKey: "e1f97a0d3e018be0d64fa32c06de4139",
    masterSalt: "0ec675ad498afeebb6960b3aabe6",
    plaintext: "800f1234decafbadcafebabeabababababababababababababababab",
    protected: "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb",
  },
  {
    profile: "AES_256_CM_HMAC_SHA1_80",
    masterKey: "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
    masterSalt: "3b04803de51ee7c96423ab5b78d2",
    plaintext: "800f1234decafbadcafebabeabababababababababababababababab",
    protected: "800f1234decafbadcafebabef1d9de17ff251ff1aa007774b0b4b40da08d9d9a5b3a55d8873b",
  },
  {
    profile: "AES_192_CM_HMAC_SHA1_80",
    masterKey: "73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1",
    masterSalt: "c8522f3acd4ce86d5add78edbb11",
    plaintext: "800f0000decafbad00000000abababababababababababababababab",
    protected: "800f0000decafbad00000000d98865552f2762c3ef37f837acfdb7122d6bc4dc84c76f74aea5",
    aes192KdfBug: "800f0000decafbad0000000000d4ca92d8e69ee8a33c29a6dbdf8b1f7bbd186703c08a53153e",
  },
  {
    profile: "AEAD_AES_128_GCM",
    masterKey: "000102030405060708090a0b0c0d0e0f",
    masterSalt: "a0a1a2a3a4a5a6a7a8a9aaab",
    plaintext: "800f1234decafbadcafebabeabababababababababababababababab",
    protected: "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392",
  },
];

function unhex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "hex"));
}

function sameBytes(r: LibsrtpPacketResult | undefined, hexExpected: string): boolean {
  return r instanceof Uint8Array && Buffer.from(r).toString("hex") === hexExpected;
}

/** Runs the known answers and the SRTCP-with-MKI round trip on every supported profile. */
async function probeProfiles(h: LibsrtpHarness, profiles: LibsrtpProfileInfo[]): Promise<void> {
  const byName = new Map(profiles.map((p) => [p.name, p] as const));
  await Promise.all(
    KNOWN_ANSWERS.map(async (ka) => {
      const info = byName.get(ka.profile);
      if (!info?.supported) return;
      const s = await h.createSession({ role: "sender", profile: ka.profile, keys: [{ masterKey: unhex(ka.masterKey), masterSalt: unhex(ka.masterSalt) }] });
      const [out] = await h.protect(s, [unhex(ka.plaintext)]);
      await h.destroySession(s);
      info.knownAnswer = sameBytes(out, ka.protected) ? "pass" : "fail";
      if (ka.aes192KdfBug !== undefined && sameBytes(out, ka.aes192KdfBug)) {
        // The KDF bug is in the key derivation shared by both AES-192 suites.
        for (const p of profiles) if (p.name.startsWith("AES_192_CM_")) p.deviations.push("aes192-kdf");
      }
    }),
  );
  await Promise.all(
    profiles
      .filter((p) => p.supported)
      .map(async (p) => {
        const key: LibsrtpMasterKey = { masterKey: new Uint8Array(p.masterKeyLength).fill(0x11), masterSalt: new Uint8Array(p.masterSaltLength).fill(0x22), mki: Uint8Array.of(0x5a) };
        const tx = await h.createSession({ role: "sender", profile: p.name, keys: [key] });
        const rx = await h.createSession({ role: "receiver", profile: p.name, keys: [key] });
        // An RTCP SR header (length 6 words) and 20 zero octets: 28 octets.
        const rtcp = unhex(`80c8000600c0ffee${"00".repeat(20)}`);
        const [sealed] = await h.protect(tx, [rtcp], { rtcp: true });
        const [opened] = sealed instanceof Uint8Array ? await h.unprotect(rx, [sealed], { rtcp: true }) : [sealed];
        await Promise.all([h.destroySession(tx), h.destroySession(rx)]);
        if (opened !== undefined && isPacketError(opened) && opened.error === "bad_mki" && p.srtcpTagLength !== p.srtpTagLength) {
          p.deviations.push("srtcp-mki-srtp-tag-length");
        }
      }),
  );
}

// ------------------------------------------------------------------------------------------------
// The harness

interface HelloInfo {
  version: string;
  versionNumber: number;
  statusNames: string[];
  profiles: LibsrtpProfileInfo[];
}

export class LibsrtpHarness {
  /** The compiled harness binary. */
  readonly binaryPath: string;

  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private info: HelloInfo = { version: "", versionNumber: 0, statusNames: [], profiles: [] };
  private inChunks: Buffer[] = [];
  private inLength = 0;
  private stderrTail = "";
  private dead: InteropError | undefined;
  private readonly exited: Promise<void>;

  private constructor(binaryPath: string, child: ChildProcessWithoutNullStreams) {
    this.binaryPath = binaryPath;
    this.child = child;
    child.stdout.on("data", (d: Buffer) => this.onData(d));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-4000);
    });
    child.stdin.on("error", () => {
      /* EPIPE after the child died: reported through 'exit' */
    });
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        const why = signal ? `signal ${signal}` : `exit ${code}`;
        // stderr may still be draining; give it a moment so the message carries the reason.
        setImmediate(() => {
          this.fail(protocolError(`libsrtp harness ended (${why})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ""}`));
          resolve();
        });
      });
      child.on("error", (e) => {
        this.fail(protocolError(`libsrtp harness failed to run: ${e.message}`, e));
        resolve();
      });
    });
  }

  /** Compiles (or reuses) the harness, starts it and reads what the linked libsrtp supports. */
  static async start(params: LibsrtpHarnessStartParams = {}): Promise<LibsrtpHarness> {
    const binary = await buildLibsrtpHarness(params);
    const h = new LibsrtpHarness(binary, spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] }));
    try {
      h.info = parseHello(await h.request(new Writer().u8(OP.hello)));
      await probeProfiles(h, h.info.profiles);
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  /** srtp_get_version_string() of the linked libsrtp, e.g. "libsrtp2 2.5.0". */
  get version(): string {
    return this.info.version;
  }

  /** srtp_get_version(): major << 24 | minor << 16 | micro. */
  get versionNumber(): number {
    return this.info.versionNumber;
  }

  /** Every profile the harness knows, with what the linked libsrtp can do. */
  get profiles(): readonly LibsrtpProfileInfo[] {
    return this.info.profiles;
  }

  /** The profile names the linked libsrtp supports. */
  get supportedProfiles(): LibsrtpProfileName[] {
    return this.info.profiles.filter((p) => p.supported).map((p) => p.name);
  }

  /** Whether the linked libsrtp can do this profile (by SDES name). */
  supports(profile: string): boolean {
    return this.profiles.some((p) => p.name === profile && p.supported);
  }

  /** Creates a libsrtp session (srtp_create) and returns its id. */
  async createSession(p: LibsrtpSessionParams): Promise<number> {
    if (p.role !== "sender" && p.role !== "receiver") throw new InteropError("ERR_INTEROP_PARAM", `bad role ${String(p.role)}`);
    if (!Array.isArray(p.keys) || p.keys.length < 1 || p.keys.length > 16) {
      throw new InteropError("ERR_INTEROP_PARAM", "need 1..16 master keys");
    }
    const w = new Writer()
      .u8(OP.create)
      .u8(p.role === "sender" ? 0 : 1)
      .str8(p.profile)
      .u8(p.ssrc === undefined ? 0 : 1)
      .u32(u32Param("ssrc", p.ssrc ?? 0))
      .u32(u32Param("replayWindow", p.replayWindow ?? 0))
      .u8(p.allowRepeatTx ? 1 : 0)
      .u8(p.srtcpTagLength === undefined ? 0 : byteParam("srtcpTagLength", p.srtcpTagLength))
      .u8(p.keys.length);
    for (const k of p.keys) {
      w.bytes8(k.masterKey).bytes8(k.masterSalt).bytes8(k.mki ?? new Uint8Array(0));
    }
    const r = await this.request(w);
    const id = r.u32();
    r.end();
    return id;
  }

  async destroySession(session: number): Promise<void> {
    const r = await this.request(new Writer().u8(OP.destroy).u32(u32Param("session", session)));
    r.end();
  }

  /**
   * Protects packets in order (srtp_protect_mki / srtp_protect_rtcp_mki). With MKI keys,
   * `mkiIndex` selects the master key (default 0). One result per packet: bytes or libsrtp's error.
   */
  protect(session: number, packets: readonly Uint8Array[], opts: { rtcp?: boolean; mkiIndex?: number } = {}): Promise<LibsrtpPacketResult[]> {
    return this.transform(OP.protect, session, packets, opts.rtcp ?? false, opts.mkiIndex ?? 0);
  }

  /** Unprotects packets in order (srtp_unprotect_mki / srtp_unprotect_rtcp_mki). */
  unprotect(session: number, packets: readonly Uint8Array[], opts: { rtcp?: boolean } = {}): Promise<LibsrtpPacketResult[]> {
    return this.transform(OP.unprotect, session, packets, opts.rtcp ?? false, 0);
  }

  /** srtp_set_stream_roc: the stream must exist (a specific-SSRC session, or one that has seen the SSRC). */
  async setRoc(session: number, ssrc: number, roc: number): Promise<void> {
    const r = await this.request(
      new Writer().u8(OP.setRoc).u32(u32Param("session", session)).u32(u32Param("ssrc", ssrc)).u32(u32Param("roc", roc)),
    );
    r.end();
  }

  /** srtp_get_stream_roc. */
  async getRoc(session: number, ssrc: number): Promise<number> {
    const r = await this.request(new Writer().u8(OP.getRoc).u32(u32Param("session", session)).u32(u32Param("ssrc", ssrc)));
    const roc = r.u32();
    r.end();
    return roc;
  }

  /** Times libsrtp inside the harness: `count` packets of `packetSize`, sequence number +1 each. */
  async bench(p: LibsrtpBenchParams): Promise<LibsrtpBenchResult> {
    if (p.op !== "protect" && p.op !== "unprotect") throw new InteropError("ERR_INTEROP_PARAM", `bad bench op ${String(p.op)}`);
    const r = await this.request(
      new Writer()
        .u8(OP.bench)
        .str8(p.profile)
        .u8(p.op === "protect" ? 0 : 1)
        .u8((p.rtcp ? 1 : 0) | (p.mki ? 2 : 0))
        .u32(u32Param("packetSize", p.packetSize))
        .u32(u32Param("count", p.count)),
    );
    const ns = r.u64();
    const packets = r.u64();
    r.u32(); // chunk size
    r.end();
    const seconds = ns / 1e9;
    return { pps: seconds > 0 ? packets / seconds : Infinity, packets, seconds };
  }

  /** Ends the harness (it frees every session and calls srtp_shutdown) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /**
   * Sends one raw request body (opcode + fields) and returns the raw answer body. For tests of
   * the harness's handling of malformed requests; not part of the stable API.
   * @internal
   */
  async rawRequest(body: Uint8Array): Promise<Buffer> {
    return this.requestRaw(new Writer().bytes(body));
  }

  /** Sends bytes straight to the harness's stdin (no framing). @internal */
  rawWrite(bytes: Uint8Array): void {
    this.child.stdin.write(Buffer.from(bytes));
  }

  // ---------------------------------------------------------------------------------------------

  private async transform(op: number, session: number, packets: readonly Uint8Array[], rtcp: boolean, mkiIndex: number): Promise<LibsrtpPacketResult[]> {
    u32Param("session", session);
    u32Param("mkiIndex", mkiIndex);
    for (const pkt of packets) {
      if (!(pkt instanceof Uint8Array)) throw new InteropError("ERR_INTEROP_PARAM", "packets must be Uint8Arrays");
      if (pkt.length > LIBSRTP_MAX_PACKET) throw new InteropError("ERR_INTEROP_PARAM", `packet longer than ${LIBSRTP_MAX_PACKET} bytes`);
    }
    // Split into frames; all chunks are sent at once (pipelined) and answered in order.
    const chunks: Promise<LibsrtpPacketResult[]>[] = [];
    let i = 0;
    do {
      const w = new Writer().u8(op).u32(session).u8(rtcp ? 1 : 0);
      if (op === OP.protect) w.u32(mkiIndex);
      const start = i;
      let bytes = 0;
      while (i < packets.length && i - start < MAX_REQUEST_PACKETS && (i === start || bytes + packets[i]!.length + 4 <= MAX_REQUEST_BYTES)) {
        bytes += packets[i]!.length + 4;
        i++;
      }
      w.u32(i - start);
      for (let j = start; j < i; j++) w.u32(packets[j]!.length).bytes(packets[j]!);
      const expected = i - start;
      chunks.push(this.request(w).then((r) => this.parseResults(r, expected)));
    } while (i < packets.length);
    return (await Promise.all(chunks)).flat();
  }

  private parseResults(r: Reader, expected: number): LibsrtpPacketResult[] {
    const n = r.u32();
    if (n !== expected) throw protocolError(`harness answered ${n} packets for ${expected}`);
    const out: LibsrtpPacketResult[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const status = r.i32();
      const len = r.u32();
      if (status === 0) {
        out[k] = new Uint8Array(r.bytes(len)); // copy: the answer buffer is shared
      } else {
        if (len !== 0) throw protocolError("error result with bytes");
        out[k] = { error: this.statusName(status), status };
      }
    }
    r.end();
    return out;
  }

  private statusName(status: number): string {
    const n = this.info.statusNames[status];
    return n && n.length > 0 ? n : `status_${status}`;
  }

  /** Sends a request; resolves with a reader positioned after the ok byte, or rejects. */
  private async request(w: Writer): Promise<Reader> {
    const body = await this.requestRaw(w);
    if (body.length < 1) throw protocolError("empty answer from the harness");
    const r = new Reader(body);
    const ok = r.u8();
    if (ok === 0) return r;
    if (ok !== 1) throw protocolError(`bad answer tag ${ok}`);
    const kind = r.u8();
    const status = r.i32();
    const msg = r.bytes(r.u16()).toString("utf8");
    const code = KIND_CODES[kind as keyof typeof KIND_CODES] ?? "ERR_INTEROP_PROTOCOL";
    if (code === "ERR_INTEROP_LIBSRTP") {
      const name = this.statusName(status);
      throw new InteropError(code, `${msg}: libsrtp status ${name} (${status})`, { libraryStatus: name });
    }
    throw new InteropError(code, msg);
  }

  private requestRaw(w: Writer): Promise<Buffer> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(w.frame());
    });
  }

  private onData(d: Buffer): void {
    // Chunks are kept in a list and joined once a whole frame is there (answers to big batches
    // arrive in many 64 KiB pieces; joining on every piece would be quadratic).
    this.inChunks.push(d);
    this.inLength += d.length;
    for (;;) {
      if (this.inLength < 4) return;
      if (this.inChunks[0]!.length < 4) this.joinInput();
      const len = this.inChunks[0]!.readUInt32LE(0);
      if (len > MAX_RESPONSE_BYTES) {
        this.fail(protocolError(`answer frame of ${len} bytes: stream out of step`));
        this.child.kill("SIGKILL");
        return;
      }
      if (this.inLength < 4 + len) return;
      if (this.inChunks[0]!.length < 4 + len) this.joinInput();
      const head = this.inChunks[0]!;
      const body = head.subarray(4, 4 + len);
      const rest = head.subarray(4 + len);
      if (rest.length > 0) this.inChunks[0] = rest;
      else this.inChunks.shift();
      this.inLength -= 4 + len;
      const p = this.pending.shift();
      if (!p) {
        this.fail(protocolError("unsolicited answer from the harness"));
        this.child.kill("SIGKILL");
        return;
      }
      p.resolve(body);
    }
  }

  private joinInput(): void {
    this.inChunks = [Buffer.concat(this.inChunks, this.inLength)];
  }

  private fail(e: InteropError): void {
    if (!this.dead) this.dead = e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}

function u32Param(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InteropError("ERR_INTEROP_PARAM", `${name} must be an integer in 0..2^32-1`);
  return v;
}

function byteParam(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 255) throw new InteropError("ERR_INTEROP_PARAM", `${name} must be an integer in 1..255`);
  return v;
}

function parseHello(r: Reader): HelloInfo {
  const proto = r.u32();
  if (proto !== PROTOCOL_VERSION) throw protocolError(`harness speaks protocol ${proto}, driver ${PROTOCOL_VERSION}`);
  const version = r.str8();
  const versionNumber = r.u32();
  const statusNames: string[] = [];
  const ns = r.u8();
  for (let i = 0; i < ns; i++) statusNames.push(r.str8());
  const profiles: LibsrtpProfileInfo[] = [];
  const np = r.u8();
  for (let i = 0; i < np; i++) {
    const name = r.str8();
    if (!(LIBSRTP_PROFILES as readonly string[]).includes(name)) throw protocolError(`harness reports unknown profile ${name}`);
    const supported = r.u8() === 1;
    const masterKeyLength = r.u8();
    const masterSaltLength = r.u8();
    const srtpTagLength = r.u8();
    const srtcpTagLength = r.u8();
    const state = r.u8();
    const lRtp = r.u8();
    const lRtcp = r.u8();
    const same = r.u8();
    profiles.push({
      name: name as LibsrtpProfileName,
      supported,
      masterKeyLength,
      masterSaltLength,
      srtpTagLength,
      srtcpTagLength,
      libsrtpProfileSetter: state === 0 ? "none" : state === 2 ? "refused" : { srtpTagLength: lRtp, srtcpTagLength: lRtcp, samePolicies: same === 1 },
      knownAnswer: "none",
      deviations: [],
    });
  }
  r.end();
  return { version, versionNumber, statusNames, profiles };
}
