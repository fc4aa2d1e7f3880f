// Key management for one call's SRTP on top of any SrtpProvider:
//
//  - SrtpTxState: our sending context. A re-key that keeps the profile and the MKI length adds the
//    new key to the running sender and switches to it (useKey), so the rollover counter and SRTCP
//    index carry on; otherwise a new sender replaces the old one.
//  - SrtpRxRing: every form of the peer's keys we accept. Skype for Business lists one key twice,
//    with and without MKI: each form gets a receiver and a packet "authenticates in one form or is
//    refused". After a re-key the old keys stay accepted for a grace period (packets in flight).
//    Because the MKI is not covered by the tag, stripping it turns a with-MKI packet into a valid
//    no-MKI packet; the ring therefore keeps one replay history (per SSRC, RTP index and SRTCP
//    index) shared by all its receivers.
import { ReplayWindow, IndexTracker } from "./replay.js";
import { SRTP_PROFILES, SrtpError, srtpErrorCode, type SrtpKey, type SrtpProfile, type SrtpProvider, type SrtpReceiver, type SrtpSender, type SrtpKeyLimitEvent } from "./srtp-provider.js";

function hex(b: Uint8Array | undefined): string {
  return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex") : "";
}

function sameKey(a: SrtpKey, b: SrtpKey): boolean {
  return hex(a.masterKey) === hex(b.masterKey) && hex(a.masterSalt) === hex(b.masterSalt) && hex(a.mki) === hex(b.mki);
}

export interface SrtpKeyingOptions {
  lifetime?: number;
  replayWindow?: number;
  onKeyLimit?: (e: SrtpKeyLimitEvent) => void;
}

export class SrtpTxState {
  private sender: SrtpSender;
  private profile: SrtpProfile;
  private key: SrtpKey;

  constructor(
    private readonly provider: SrtpProvider,
    profile: SrtpProfile,
    key: SrtpKey,
    private readonly opts: SrtpKeyingOptions = {},
  ) {
    this.profile = profile;
    this.key = key;
    this.sender = this.make(profile, key);
  }

  private make(profile: SrtpProfile, key: SrtpKey): SrtpSender {
    return this.provider.sender({
      profile,
      ...key,
      ...(this.opts.lifetime !== undefined ? { lifetime: this.opts.lifetime } : {}),
      ...(this.opts.onKeyLimit ? { onKeyLimit: this.opts.onKeyLimit } : {}),
    });
  }

  /** "same" (nothing to do), "switched" (new MKI in the running context) or "replaced". */
  update(profile: SrtpProfile, key: SrtpKey): "same" | "switched" | "replaced" {
    if (profile === this.profile && sameKey(key, this.key)) return "same";
    const old = this.key;
    if (profile === this.profile && old.mki && key.mki && old.mki.length === key.mki.length && hex(old.mki) !== hex(key.mki)) {
      this.sender.addKey(key);
      this.sender.useKey(key.mki);
      this.sender.removeKey(old.mki);
      this.key = key;
      return "switched";
    }
    const next = this.make(profile, key);
    this.sender.close();
    this.sender = next;
    this.profile = profile;
    this.key = key;
    return "replaced";
  }

  get mki(): Uint8Array | undefined {
    return this.key.mki;
  }

  protect(rtp: Uint8Array): Uint8Array {
    return this.sender.protect(rtp);
  }

  protectRtcp(rtcp: Uint8Array): Uint8Array {
    return this.sender.protectRtcp(rtcp);
  }

  close(): void {
    this.sender.close();
  }
}

interface RxEntry {
  receiver: SrtpReceiver;
  profile: SrtpProfile;
  mkiLength: number;
  /** Keys this receiver holds, by MKI hex ("" for the no-MKI form). */
  keys: Map<string, SrtpKey>;
  expires?: number;
  seq: number;
}

interface SharedReplay {
  rtp: IndexTracker;
  rtpWindow: ReplayWindow;
  rtcpWindow: ReplayWindow;
}

export class SrtpRxRing {
  private entries: RxEntry[] = [];
  private removals: { entry: RxEntry; mki: string; at: number }[] = [];
  /** Shared replay state per (SSRC, master key): both forms of one key share it; a new key starts afresh. */
  private readonly shared = new Map<string, SharedReplay>();
  private counter = 0;
  /** Which form last authenticated (for stats and tests): "mki:01", "no-mki". */
  lastForm = "";

  constructor(
    private readonly provider: SrtpProvider,
    private readonly graceMs = 5000,
    private readonly opts: SrtpKeyingOptions = {},
    // monotonic: a wall-clock step must not stretch or cut the grace period of a retired key
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Installs the peer's keys (initially or on re-key); keys no longer listed expire after the grace period. */
  set(profile: SrtpProfile, keys: SrtpKey[]): void {
    const now = this.now();
    const keep = new Set<RxEntry>();
    for (const k of keys) {
      const len = k.mki ? k.mki.length : 0;
      const id = hex(k.mki);
      const live = this.entries.filter((e) => e.expires === undefined && e.profile === profile && e.mkiLength === len);
      const holding = live.find((e) => e.keys.has(id) && sameKey(e.keys.get(id)!, k));
      if (holding) {
        keep.add(holding);
        this.removals = this.removals.filter((r) => !(r.entry === holding && r.mki === id));
        continue;
      }
      // An MKI receiver of this profile takes the new key in place (its ROC and replay state carry on).
      const host = len > 0 ? live.find((e) => !e.keys.has(id)) : undefined;
      if (host) {
        host.receiver.addKey(k);
        host.keys.set(id, k);
        keep.add(host);
        continue;
      }
      const e: RxEntry = {
        receiver: this.provider.receiver({
          profile,
          ...k,
          ...(this.opts.lifetime !== undefined ? { lifetime: this.opts.lifetime } : {}),
          ...(this.opts.replayWindow !== undefined ? { replayWindow: this.opts.replayWindow } : {}),
          ...(this.opts.onKeyLimit ? { onKeyLimit: this.opts.onKeyLimit } : {}),
        }),
        profile,
        mkiLength: len,
        keys: new Map([[id, k]]),
        seq: ++this.counter,
      };
      this.entries.push(e);
      keep.add(e);
    }
    const wanted = new Set(keys.map((k) => `${hex(k.mki)}/${hex(k.masterKey)}`));
    for (const e of this.entries) {
      if (e.expires !== undefined) continue;
      if (!keep.has(e)) {
        e.expires = now + this.graceMs;
        continue;
      }
      for (const [id, k] of e.keys) {
        if (!wanted.has(`${id}/${hex(k.masterKey)}`) && !this.removals.some((r) => r.entry === e && r.mki === id)) {
          this.removals.push({ entry: e, mki: id, at: now + this.graceMs });
        }
      }
    }
    // newest first
    this.entries.sort((a, b) => (a.expires === undefined ? 0 : 1) - (b.expires === undefined ? 0 : 1) || b.seq - a.seq);
  }

  private housekeeping(): void {
    const now = this.now();
    for (const r of this.removals.filter((x) => x.at <= now)) {
      try {
        r.entry.receiver.removeKey(Buffer.from(r.mki, "hex"));
      } catch {
        /* already gone */
      }
      r.entry.keys.delete(r.mki);
    }
    this.removals = this.removals.filter((x) => x.at > now);
    for (const e of this.entries.filter((x) => (x.expires !== undefined && x.expires <= now) || x.keys.size === 0)) e.receiver.close();
    this.entries = this.entries.filter((x) => !((x.expires !== undefined && x.expires <= now) || x.keys.size === 0));
  }

  get size(): number {
    return this.entries.length;
  }

  private mkiAt(e: RxEntry, p: Uint8Array, rtcp: boolean): string | undefined {
    if (e.mkiLength === 0) return "";
    const info = SRTP_PROFILES[e.profile];
    const tag = rtcp ? info.srtcpTagLength : info.srtpTagLength;
    const end = info.cipher === "aes-gcm" ? p.length : p.length - tag;
    if (end - e.mkiLength < 0) return undefined;
    return hex(p.subarray(end - e.mkiLength, end));
  }

  private attempt(p: Uint8Array, rtcp: boolean): { out: Uint8Array; entry: RxEntry; keyId: string } {
    this.housekeeping();
    if (this.entries.length === 0) throw new SrtpError("ERR_SRTP_CLOSED", "no receive keys");
    const codes: string[] = [];
    let tried = 0;
    for (const e of this.entries) {
      const m = this.mkiAt(e, p, rtcp);
      if (m === undefined || !e.keys.has(m)) {
        codes.push("ERR_SRTP_MKI");
        continue;
      }
      tried++;
      try {
        const out = rtcp ? e.receiver.unprotectRtcp(p) : e.receiver.unprotect(p);
        this.lastForm = e.mkiLength ? `mki:${m}` : "no-mki";
        const k = e.keys.get(m)!;
        return { out, entry: e, keyId: hex(k.masterKey) + hex(k.masterSalt) };
      } catch (err) {
        codes.push(srtpErrorCode(err) ?? "ERR_SRTP_MALFORMED");
      }
    }
    const pick = (["ERR_SRTP_REPLAY", "ERR_SRTP_REPLAY_OLD", "ERR_SRTP_AUTH", "ERR_SRTP_KEY_LIMIT", "ERR_SRTP_MALFORMED"] as const).find((c) => codes.includes(c));
    if (tried === 0 || !pick) throw new SrtpError("ERR_SRTP_MKI", "no receive key matches the packet's MKI");
    throw new SrtpError(pick, `refused in every accepted form (${codes.join(", ")})`);
  }

  private sharedFor(ssrc: number, keyId: string): SharedReplay {
    const id = `${ssrc}/${keyId}`;
    let s = this.shared.get(id);
    if (!s) {
      if (this.shared.size >= 64) this.shared.delete(this.shared.keys().next().value!);
      s = { rtp: new IndexTracker(), rtpWindow: new ReplayWindow(this.opts.replayWindow ?? 128), rtcpWindow: new ReplayWindow(this.opts.replayWindow ?? 128) };
      this.shared.set(id, s);
    }
    return s;
  }

  unprotect(p: Uint8Array): Uint8Array {
    const { out, keyId } = this.attempt(p, false);
    const ssrc = new DataView(out.buffer, out.byteOffset).getUint32(8);
    const seq = (out[2]! << 8) | out[3]!;
    const s = this.sharedFor(ssrc, keyId);
    const index = s.rtp.estimate(seq);
    const r = index < 0 ? "old" : s.rtpWindow.check(index);
    if (r !== "ok") throw new SrtpError(r === "old" ? "ERR_SRTP_REPLAY_OLD" : "ERR_SRTP_REPLAY", "already received in another form of the key");
    s.rtp.commit(index);
    s.rtpWindow.add(index);
    return out;
  }

  unprotectRtcp(p: Uint8Array): Uint8Array {
    const { out, entry, keyId } = this.attempt(p, true);
    const info = SRTP_PROFILES[entry.profile];
    const trailerEnd = info.cipher === "aes-gcm" ? p.length - entry.mkiLength : p.length - info.srtcpTagLength - entry.mkiLength;
    const index = new DataView(p.buffer, p.byteOffset).getUint32(trailerEnd - 4) & 0x7fffffff;
    const ssrc = new DataView(out.buffer, out.byteOffset).getUint32(4);
    const s = this.sharedFor(ssrc, keyId);
    const r = s.rtcpWindow.check(index);
    if (r !== "ok") throw new SrtpError(r === "old" ? "ERR_SRTP_REPLAY_OLD" : "ERR_SRTP_REPLAY", "SRTCP already received in another form of the key");
    s.rtcpWindow.add(index);
    return out;
  }

  close(): void {
    for (const e of this.entries) e.receiver.close();
    this.entries = [];
    this.removals = [];
  }
}
