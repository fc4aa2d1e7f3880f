// `gwsdk conformance srtp --libsrtp`: the byte-for-byte differential of our SRTP engine (core.srtp,
// in the core build under test) against the system libsrtp (Debian libsrtp2-dev, through the
// harness in host/interop/libsrtp), for every profile both sides support, with and without MKIs.
// For each profile: SRTP bytes equal packet for packet (random keys and SSRCs, CSRCs, header
// extensions, sequence numbers that roll the ROC over, a key switch half way with MKIs), each side
// opens the other's packets in a reordered order, and the same for SRTCP. Known deviations of the
// linked libsrtp (detected by the harness at start-up) are reported, and what they make impossible
// is skipped with the reason. Report schema: docs/schemas/conformance-srtp.schema.json.
import { LibsrtpHarness, libsrtpAvailable, LIBSRTP_INSTALL, type LibsrtpMasterKey, type LibsrtpPacketResult, type LibsrtpProfileInfo } from "../interop/libsrtp/index.js";
import { SRTP_PROFILES, type SrtpProfileInfo } from "../srtp/profiles.js";
import type { SrtpReceiver, SrtpSender } from "../srtp/session.js";
import type { Core, CoreVariant } from "../core/load-core.js";
import { openCore, type CoreInfo } from "./core.js";
import { toolInfo } from "./package-files.js";
import { elapsedMs, firstDifference, worstVerdict, type FirstDifference, type ToolInfo, type Verdict } from "./report.js";
import { Rng } from "../util/xorshift.js";

export interface SrtpConformanceOptions {
  wasm?: string;
  wasmBytes?: Uint8Array;
  wasmName?: string;
  variant?: CoreVariant;
  /** RTP packets per SSRC and profile row (default 200; two SSRCs per row). */
  packets?: number;
  /** Where the compiled harness is cached (default: a private per-user directory). */
  cacheDir?: string;
  /** C compiler / pkg-config (default $CC / cc, $PKG_CONFIG / pkg-config). */
  cc?: string;
  pkgConfig?: string;
  /** Seed of the packet generator (default fixed, so that runs are repeatable). */
  seed?: number;
}

/** The six directions of one profile row. */
export const SRTP_CHECKS = ["srtpBytes", "srtpTheirsOpen", "srtpOursOpen", "srtcpBytes", "srtcpTheirsOpen", "srtcpOursOpen"] as const;
export type SrtpCheckName = (typeof SRTP_CHECKS)[number];

const CHECK_TITLES: Record<SrtpCheckName, string> = {
  srtpBytes: "SRTP bytes equal libsrtp's",
  srtpTheirsOpen: "we open libsrtp's SRTP",
  srtpOursOpen: "libsrtp opens our SRTP",
  srtcpBytes: "SRTCP bytes equal libsrtp's",
  srtcpTheirsOpen: "we open libsrtp's SRTCP",
  srtcpOursOpen: "libsrtp opens our SRTCP",
};

export interface SrtpCheckResult {
  status: Verdict;
  /** Packets compared or opened. */
  packets: number;
  message?: string;
  difference?: FirstDifference;
}

export interface SrtpRow {
  profile: string;
  mki: boolean;
  status: Verdict;
  /** Why the row (or part of it) was skipped: a libsrtp deviation, a profile one side lacks. */
  note?: string;
  checks: Record<SrtpCheckName, SrtpCheckResult>;
  durationMs: number;
}

export interface SrtpConformanceReport {
  kind: "srtp";
  schemaVersion: 1;
  tool: ToolInfo;
  startedAt: string;
  durationMs: number;
  core: CoreInfo;
  libsrtp: {
    available: boolean;
    /** Why not, with the install command. */
    reason: string | null;
    install: string | null;
    version: string | null;
    profiles: { name: string; supported: boolean; knownAnswer: string; deviations: string[] }[];
  };
  rows: SrtpRow[];
  summary: { status: Verdict; rows: number; agreed: number; failed: number; skipped: number; packets: number };
}

// ---- packets from a small deterministic generator (xorshift32): repeatable runs, no Math.random ----

/** An RTP packet: V=2, optional CSRCs and a header extension, random payload. */
function rtpPacket(rng: Rng, ssrc: number, seq: number, payload: number, csrc: number, extWords: number | undefined): Uint8Array {
  const ext = extWords === undefined ? 0 : 4 + 4 * extWords;
  const p = new Uint8Array(12 + 4 * csrc + ext + payload);
  const v = new DataView(p.buffer);
  p[0] = 0x80 | (extWords !== undefined ? 0x10 : 0) | csrc;
  p[1] = rng.int(2) ? 0 : 8; // PCMU or PCMA
  v.setUint16(2, seq);
  v.setUint32(4, rng.u32());
  v.setUint32(8, ssrc);
  for (let i = 0; i < csrc; i++) v.setUint32(12 + 4 * i, rng.u32());
  let o = 12 + 4 * csrc;
  if (extWords !== undefined) {
    v.setUint16(o, 0xbede);
    v.setUint16(o + 2, extWords);
    p.set(rng.bytes(4 * extWords), o + 4);
    o += ext;
  }
  p.set(rng.bytes(payload), o);
  return p;
}

/** An RTCP receiver report (PT 201) of `len` bytes (a multiple of 4, at least 8). */
function rtcpPacket(rng: Rng, ssrc: number, len: number): Uint8Array {
  const p = new Uint8Array(len);
  const v = new DataView(p.buffer);
  p[0] = 0x80;
  p[1] = 201;
  v.setUint16(2, len / 4 - 1);
  v.setUint32(4, ssrc);
  p.set(rng.bytes(len - 8), 8);
  return p;
}

/** Order 0..n-1 mostly ascending, each item moved by up to `spread` places (the first stays first). */
function reorder(rng: Rng, n: number, spread: number): number[] {
  const keyed = Array.from({ length: n }, (_, i) => ({ i, k: i === 0 ? -1 : i + rng.int(spread + 1) }));
  return keyed.sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.i);
}

// ------------------------------------------------------------------------------------------------

function emptyChecks(status: Verdict, message: string): Record<SrtpCheckName, SrtpCheckResult> {
  return Object.fromEntries(SRTP_CHECKS.map((c) => [c, { status, packets: 0, message }])) as Record<SrtpCheckName, SrtpCheckResult>;
}

class Check {
  result: SrtpCheckResult = { status: "pass", packets: 0 };
  /** Records a comparison; the first difference fails the check (later ones are not recorded). */
  equal(what: string, expected: Uint8Array, actual: Uint8Array): void {
    this.result.packets++;
    if (this.result.status !== "pass") return;
    const d = firstDifference(what, expected, actual);
    if (d) this.result = { ...this.result, status: "fail", message: `${what}: differs at byte ${d.offset}`, difference: d };
  }
  fail(message: string): void {
    this.result.packets++;
    if (this.result.status === "pass") this.result = { ...this.result, status: "fail", message };
  }
  skip(message: string): void {
    this.result = { status: "skip", packets: 0, message };
  }
}

function libBytes(r: LibsrtpPacketResult | undefined): Uint8Array | string {
  if (r instanceof Uint8Array) return r;
  return r ? `libsrtp ${r.error} (status ${r.status})` : "no answer";
}

function errText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return `${err.code ?? "error"}: ${err.message ?? String(e)}`;
}

async function runRow(h: LibsrtpHarness, core: Core, p: SrtpProfileInfo, lib: LibsrtpProfileInfo, withMki: boolean, rng: Rng, perSsrc: number): Promise<SrtpRow> {
  const t0 = performance.now();
  const row: SrtpRow = { profile: p.name, mki: withMki, status: "pass", checks: emptyChecks("pass", ""), durationMs: 0 };
  const checks = Object.fromEntries(SRTP_CHECKS.map((c) => [c, new Check()])) as Record<SrtpCheckName, Check>;
  const mkiBug = withMki && lib.deviations.includes("srtcp-mki-srtp-tag-length");
  const keys: LibsrtpMasterKey[] = [0, 1].slice(0, withMki ? 2 : 1).map((n) => ({
    masterKey: rng.bytes(p.masterKeyLength),
    masterSalt: rng.bytes(p.masterSaltLength),
    ...(withMki ? { mki: Uint8Array.of(0x10 + n) } : {}),
  }));
  const libTx = await h.createSession({ role: "sender", profile: p.name, keys });
  const libRx = await h.createSession({ role: "receiver", profile: p.name, keys });
  const open: (SrtpSender | SrtpReceiver)[] = [];
  const ours = <T extends SrtpSender | SrtpReceiver>(s: T): T => {
    open.push(s);
    if (withMki) s.addKey(keys[1]!);
    return s;
  };
  try {
    const tx = ours(core.srtp.sender({ profile: p.name, ...keys[0]!, maxKeys: 2 }));
    const tx1 = ours(core.srtp.sender({ profile: p.name, ...keys[0]!, maxKeys: 2 })); // SRTCP numbered from 1, as libsrtp does
    const rx = ours(core.srtp.receiver({ profile: p.name, ...keys[0]!, maxKeys: 2 }));
    for (let s = 0; s < 2; s++) {
      const ssrc = rng.u32();
      const seq0 = 65500 + rng.int(30); // the ROC rolls over within the stream
      const plain = Array.from({ length: perSsrc }, (_, i) => {
        const shape = rng.int(4);
        return rtpPacket(rng, ssrc, (seq0 + i) & 0xffff, rng.int(261), shape === 1 ? 1 + rng.int(15) : 0, shape >= 2 ? rng.int(4) : undefined);
      });
      const half = perSsrc >> 1;
      // SRTP: first half under key 0, second half under key 1 (with MKIs)
      const theirs = [...(await h.protect(libTx, plain.slice(0, half), { mkiIndex: 0 }))];
      const mine: Uint8Array[] = [];
      for (const x of plain.slice(0, half)) mine.push(tx.protect(x));
      if (withMki) tx.useKey(keys[1]!.mki!);
      theirs.push(...(await h.protect(libTx, plain.slice(half), { mkiIndex: withMki ? 1 : 0 })));
      for (const x of plain.slice(half)) mine.push(tx.protect(x));
      if (withMki) tx.useKey(keys[0]!.mki!);
      for (let i = 0; i < perSsrc; i++) {
        const t = libBytes(theirs[i]);
        if (typeof t === "string") checks.srtpBytes.fail(`packet ${i}: ${t}`);
        else checks.srtpBytes.equal(`SRTP packet ${i} (seq ${(seq0 + i) & 0xffff})`, t, mine[i]!);
      }
      // each side opens the other's, reordered
      const order = reorder(rng, perSsrc, 5);
      const opened = await h.unprotect(libRx, order.map((i) => mine[i]!));
      order.forEach((i, k) => {
        const o = libBytes(opened[k]);
        if (typeof o === "string") checks.srtpOursOpen.fail(`our packet ${i}: ${o}`);
        else checks.srtpOursOpen.equal(`our SRTP packet ${i} opened by libsrtp`, plain[i]!, o);
      });
      for (const i of reorder(rng, perSsrc, 5)) {
        const t = theirs[i];
        if (!(t instanceof Uint8Array)) continue; // already a srtpBytes failure
        try {
          checks.srtpTheirsOpen.equal(`libsrtp SRTP packet ${i} opened by us`, plain[i]!, rx.unprotect(t));
        } catch (e) {
          checks.srtpTheirsOpen.fail(`libsrtp packet ${i}: ${errText(e)}`);
        }
      }
      // SRTCP
      const m = Math.max(4, Math.min(32, perSsrc >> 3)) & ~1;
      const rtcp = Array.from({ length: m }, () => rtcpPacket(rng, ssrc, 8 + 4 * rng.int(40)));
      const theirsRtcp = [...(await h.protect(libTx, rtcp.slice(0, m / 2), { rtcp: true, mkiIndex: 0 }))];
      tx1.setSrtcpIndex(ssrc, 1);
      const from1: Uint8Array[] = rtcp.slice(0, m / 2).map((x) => tx1.protectRtcp(x));
      theirsRtcp.push(...(await h.protect(libTx, rtcp.slice(m / 2), { rtcp: true, mkiIndex: withMki ? 1 : 0 })));
      if (withMki) tx1.useKey(keys[1]!.mki!);
      from1.push(...rtcp.slice(m / 2).map((x) => tx1.protectRtcp(x)));
      if (withMki) tx1.useKey(keys[0]!.mki!);
      for (let i = 0; i < m; i++) {
        const t = libBytes(theirsRtcp[i]);
        if (typeof t === "string") checks.srtcpBytes.fail(`SRTCP packet ${i}: ${t}`);
        else checks.srtcpBytes.equal(`SRTCP packet ${i} (index ${i + 1})`, t, from1[i]!);
      }
      for (let i = 0; i < m; i++) {
        const t = theirsRtcp[i];
        if (!(t instanceof Uint8Array)) continue;
        try {
          checks.srtcpTheirsOpen.equal(`libsrtp SRTCP packet ${i} opened by us`, rtcp[i]!, rx.unprotectRtcp(t));
        } catch (e) {
          checks.srtcpTheirsOpen.fail(`libsrtp SRTCP packet ${i}: ${errText(e)}`);
        }
      }
      // our RFC-numbered SRTCP (index from 0) opens in libsrtp
      const mineRtcp = rtcp.map((x) => tx.protectRtcp(x));
      if (!mkiBug) {
        const back = await h.unprotect(libRx, mineRtcp, { rtcp: true });
        back.forEach((r, i) => {
          const o = libBytes(r);
          if (typeof o === "string") checks.srtcpOursOpen.fail(`our SRTCP packet ${i}: ${o}`);
          else checks.srtcpOursOpen.equal(`our SRTCP packet ${i} opened by libsrtp`, rtcp[i]!, o);
        });
      }
    }
    if (mkiBug) {
      checks.srtcpOursOpen.skip(`${h.version} cannot open SRTCP with an MKI when the SRTCP tag is longer than the SRTP tag (cisco/libsrtp #733, fixed upstream)`);
      row.note = checks.srtcpOursOpen.result.message!;
    }
    row.checks = Object.fromEntries(SRTP_CHECKS.map((c) => [c, checks[c].result])) as Record<SrtpCheckName, SrtpCheckResult>;
  } catch (e) {
    const { code } = e as { code?: string };
    const status: Verdict = code === "ERR_CORE_NOT_IMPLEMENTED" ? "notImplemented" : "fail";
    row.checks = emptyChecks(status, errText(e));
    row.note = errText(e);
  } finally {
    for (const s of open) s.close();
    await h.destroySession(libTx).catch(() => undefined);
    await h.destroySession(libRx).catch(() => undefined);
  }
  row.status = worstVerdict(SRTP_CHECKS.map((c) => row.checks[c].status));
  row.durationMs = elapsedMs(t0);
  return row;
}

/** Runs the differential. Never throws for a missing libsrtp or a bad core: the report says so. */
export async function runSrtpConformance(o: SrtpConformanceOptions = {}): Promise<SrtpConformanceReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const { core, info } = await openCore(o);
  const report: SrtpConformanceReport = {
    kind: "srtp",
    schemaVersion: 1,
    tool: toolInfo(),
    startedAt,
    durationMs: 0,
    core: info,
    libsrtp: { available: false, reason: null, install: null, version: null, profiles: [] },
    rows: [],
    summary: { status: "skip", rows: 0, agreed: 0, failed: 0, skipped: 0, packets: 0 },
  };
  const finish = () => {
    const rows = report.rows;
    const loadFailed = !info.loaded;
    report.summary = {
      status: loadFailed ? "fail" : worstVerdict(rows.map((r) => r.status)),
      rows: rows.length,
      agreed: rows.filter((r) => r.status === "pass").length,
      failed: rows.filter((r) => r.status === "fail" || r.status === "notImplemented").length,
      skipped: rows.filter((r) => r.status === "skip").length,
      packets: rows.reduce((n, r) => n + SRTP_CHECKS.reduce((k, c) => k + r.checks[c].packets, 0), 0),
    };
    report.durationMs = elapsedMs(t0);
    return report;
  };

  const avail = libsrtpAvailable({ ...(o.cc ? { cc: o.cc } : {}), ...(o.pkgConfig ? { pkgConfig: o.pkgConfig } : {}) });
  if (!avail.ok) {
    report.libsrtp.reason = avail.reason;
    report.libsrtp.install = avail.install;
    return finish();
  }
  let h: LibsrtpHarness;
  try {
    h = await LibsrtpHarness.start({ ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), ...(o.cc ? { cc: o.cc } : {}), ...(o.pkgConfig ? { pkgConfig: o.pkgConfig } : {}) });
  } catch (e) {
    report.libsrtp.reason = errText(e);
    report.libsrtp.install = LIBSRTP_INSTALL;
    return finish();
  }
  try {
    report.libsrtp.available = true;
    report.libsrtp.version = h.version;
    report.libsrtp.profiles = h.profiles.map((p) => ({ name: p.name, supported: p.supported, knownAnswer: p.knownAnswer, deviations: [...p.deviations] }));
    const rng = new Rng(o.seed ?? 0x5eed1234, 0x9e3779b9);
    const perSsrc = Math.max(8, o.packets ?? 200) & ~1;
    const missingSrtp = !core || !core.has("srtp_protect");
    for (const p of SRTP_PROFILES) {
      for (const withMki of [false, true]) {
        const lib = h.profiles.find((x) => x.name === p.name);
        const base = { profile: p.name, mki: withMki, durationMs: 0 };
        if (!core) {
          report.rows.push({ ...base, status: "skip", note: "the core did not load", checks: emptyChecks("skip", "the core did not load") });
        } else if (missingSrtp) {
          const msg = 'not implemented: the core has no export "srtp_protect"';
          report.rows.push({ ...base, status: "notImplemented", note: msg, checks: emptyChecks("notImplemented", msg) });
        } else if (!lib || !lib.supported) {
          const msg = `the linked libsrtp ${h.version} does not support ${p.name}`;
          report.rows.push({ ...base, status: "skip", note: msg, checks: emptyChecks("skip", msg) });
        } else if (lib.deviations.includes("aes192-kdf")) {
          const msg = `${h.version} derives AES-192 keys with the AES-256 PRF (cisco/libsrtp #763, fixed upstream): no RFC 6188 implementation can agree with it`;
          report.rows.push({ ...base, status: "skip", note: msg, checks: emptyChecks("skip", msg) });
        } else {
          report.rows.push(await runRow(h, core, p, lib, withMki, rng, perSsrc));
        }
      }
    }
  } finally {
    await h.close();
  }
  return finish();
}

export function srtpCheckTitle(c: SrtpCheckName): string {
  return CHECK_TITLES[c];
}
