// TLS record protection benchmark: TLS 1.3 TLS_AES_128_GCM_SHA256 records of 16 KiB and 1 KiB,
// protect (seal) and unprotect (open), in MB/s of content. Ours beside Node's crypto AES-128-GCM
// building the very same records (RFC 8446 §5.2: nonce = iv XOR seq, AAD = header, inner plaintext
// = content || type), one cipher object per record as TLS requires (the nonce changes).
// Rows: "core" = the raw exports on arena buffers (what a host writing straight into the arena
// gets); "wrapper" = TlsRecordLayer.seal()/readRecord() including the copies between JS and the core.
import { createCipheriv, createDecipheriv } from "node:crypto";
import { loadCore, TlsRecordLayer, ContentType, cipherSuite, type Core, type CoreVariant } from "../host/index.js";
import { measure, type BenchContext } from "./harness.js";

const KEY = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
const IV = Buffer.from("a0a1a2a3a4a5a6a7a8a9aaab", "hex");

function nonce(seq: number): Buffer {
  const n = Buffer.from(IV);
  n.writeUInt32BE((n.readUInt32BE(8) ^ seq) >>> 0, 8);
  return n;
}

/** Node: one TLS 1.3 record, the same bytes ours produces. */
function nodeSeal(content: Buffer, seq: number): Buffer {
  const innerLen = content.length + 1;
  const header = Buffer.from([23, 3, 3, (innerLen + 16) >> 8, (innerLen + 16) & 0xff]);
  const c = createCipheriv("aes-128-gcm", KEY, nonce(seq));
  c.setAAD(header);
  const a = c.update(content);
  const b = c.update(Buffer.from([23]));
  c.final();
  return Buffer.concat([header, a, b, c.getAuthTag()]);
}

function nodeOpen(rec: Buffer, seq: number): Buffer {
  const d = createDecipheriv("aes-128-gcm", KEY, nonce(seq));
  d.setAAD(rec.subarray(0, 5));
  d.setAuthTag(rec.subarray(rec.length - 16));
  const p = d.update(rec.subarray(5, rec.length - 16));
  d.final();
  return p;
}

/**
 * Measures ours and the peer alternately (7 rounds of one 150 ms sample each) and returns both
 * medians, so that the noisy shared machine slows both sides of a ratio alike.
 */
function paired(ours: () => void, peer: () => void, ops: number): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 7; i++) {
    a.push(measure(ours, ops, 1, 150));
    b.push(measure(peer, ops, 1, 150));
  }
  const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1]!;
  return [med(a), med(b)];
}

/** Raw core: one write half and one read half with the same key, buffers in the arena. */
function coreRig(core: Core, size: number, batch: number) {
  const f = (n: string) => core.fn(n);
  const halfSize = f("tls_half_ctx_size")();
  const w = core.arena.alloc(halfSize);
  const r = core.arena.alloc(halfSize);
  const src = core.arena.alloc(size);
  const recLen = size + 1 + 16 + 5;
  const recs = core.arena.alloc(recLen * batch);
  const out = core.arena.alloc(size + 256);
  const kp = core.put(KEY);
  const ip = core.put(IV);
  const setKey = (h: number) => {
    if (f("tls_half_set_key")(h, 0x0304, 1, kp, 16, ip, 12) !== 0) throw new Error("tls_half_set_key");
    f("tls_half_set_usage_limits")(h, 0, 0);
  };
  f("tls_half_init")(w, 1);
  f("tls_half_init")(r, 0);
  setKey(w);
  setKey(r);
  core.u8.fill(0x5a, src, src + size);
  const seal = f("tls_record_seal");
  const open = f("tls_record_open");
  // a batch of records with sequence numbers 0..batch-1 for the open benchmark
  for (let i = 0; i < batch; i++) if (seal(w, 23, src, size, recs + i * recLen, recLen) !== recLen) throw new Error("seal");
  return {
    seal: () => {
      if (seal(w, 23, src, size, out, size + 256) < 0) throw new Error("seal failed");
    },
    openBatch: () => {
      setKey(r); // sequence number back to 0 (key setup amortised over the batch)
      for (let i = 0; i < batch; i++) if (open(r, recs + i * recLen, recLen, out, size + 256) !== size) throw new Error("open failed");
    },
    free: () => {
      for (const p of [w, r]) f("tls_half_close")(p);
      for (const p of [w, r, src, recs, out, kp, ip]) core.arena.release(p);
    },
  };
}

export async function run(ctx: BenchContext): Promise<void> {
  ctx.section("tls-record", "TLS 1.3 AES-128-GCM records (MB/s of content; ours vs node:crypto building the same records)");
  const variants: CoreVariant[] = ["simd", "scalar"];
  for (const size of [16384, 1024]) {
    const label = size === 16384 ? "16 KiB" : "1 KiB";
    const content = Buffer.alloc(size, 0x5a);
    const batch = size === 16384 ? 16 : 128;
    let nseq = 0;
    const nodeSealOne = () => { nodeSeal(content, nseq++); };
    const nodeRecs = Array.from({ length: batch }, (_, i) => nodeSeal(content, i));
    const nodeOpenBatch = () => { for (let i = 0; i < batch; i++) nodeOpen(nodeRecs[i]!, i); };
    const mbs = (opsPerSec: number) => (opsPerSec * size) / 1e6;
    for (const variant of variants) {
      const core = await loadCore({ variant });
      const rig = coreRig(core, size, batch);
      const [seal, nseal] = paired(rig.seal, nodeSealOne, 1);
      const [open, nopen] = paired(rig.openBatch, nodeOpenBatch, batch);
      ctx.row(`protect ${label} core (${variant})`, "MB/s", mbs(seal), { name: "node", value: mbs(nseal) });
      ctx.row(`unprotect ${label} core (${variant})`, "MB/s", mbs(open), { name: "node", value: mbs(nopen) });
      rig.free();

      // through the host wrapper: copies in and out of the arena, fragmentation, error mapping
      const suite = cipherSuite("TLS_AES_128_GCM_SHA256")!;
      const w = TlsRecordLayer.create(core, { usageLimits: { soft: 0, hard: 0 } });
      w.installKeys("write", suite, KEY, IV);
      const [wseal, nseal2] = paired(() => { w.seal(ContentType.applicationData, content); }, nodeSealOne, 1);
      const rd = TlsRecordLayer.create(core);
      w.installKeys("write", suite, KEY, IV); // sequence numbers 0..batch-1 for the records below
      const wire = Array.from({ length: batch }, () => w.seal(ContentType.applicationData, content));
      const [wopen, nopen2] = paired(() => {
        rd.installKeys("read", suite, KEY, IV);
        for (let i = 0; i < batch; i++) {
          rd.feed(wire[i]!);
          if (!rd.readRecord()) throw new Error("no record");
        }
      }, nodeOpenBatch, batch);
      ctx.row(`protect ${label} wrapper (${variant})`, "MB/s", mbs(wseal), { name: "node", value: mbs(nseal2) });
      ctx.row(`unprotect ${label} wrapper (${variant})`, "MB/s", mbs(wopen), { name: "node", value: mbs(nopen2) });
      w.destroy();
      rd.destroy();
    }
  }
}
