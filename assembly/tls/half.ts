// One direction of a TLS connection: the "half connection" (Go's halfConn). It owns the record
// protection state of that direction: protocol version, AEAD key context, static IV (1.3) or
// implicit salt (1.2), the 64-bit sequence number, the record size limit, the padding policy, the
// AEAD usage limits and a sticky first error. After a fatal error the direction stays failed.
//
// The context is caller-owned memory (tls_half_ctx_size() bytes, 16-byte aligned) that holds no
// pointer, so the host can place it anywhere in the arena and tls_half_close() wipes it with one fill.
import { OK, ERR_ARG, ERR_KEY_LENGTH, ERR_STATE } from "../abi/status";
import { ERR_TLS_SEQ_EXHAUSTED, ERR_TLS_CLOSED } from "../abi/status";
import { wipe } from "../util/ct";
import {
  PROTO_NONE, PROTO_TLS12, PROTO_TLS13, RECORD_VERSION_TLS12, AEAD_NONE, AEAD_AES_128_GCM, AEAD_AES_256_GCM,
  TLS13_IV_LEN, TLS12_SALT_LEN, MAX_PLAINTEXT, MAX_INNER_TLS13, MIN_RECORD_SIZE_LIMIT, ALERT_NONE,
  GCM_RECORD_LIMIT, GCM_RECORD_SOFT_LIMIT, MAX_HASH_LEN, ALERT_INTERNAL_ERROR,
} from "./constants";
import { AEAD_CTX_SIZE, aeadKeyInit, aeadReady, expandLabel, hashLen } from "./crypto";
import { LABEL_KEY, LABEL_KEY_LEN, LABEL_IV, LABEL_IV_LEN, LABEL_TRAFFIC_UPD, LABEL_TRAFFIC_UPD_LEN } from "./labels";

// ---- layout ----
export const H_MAGIC: usize = 0; //       u32 "TLSH" once initialised
export const H_DIR: usize = 4; //         u32 DIR_READ / DIR_WRITE
export const H_ERROR: usize = 8; //       i32 sticky first error (0 = none)
export const H_ALERT: usize = 12; //      u32 alert description attached to the error (ALERT_NONE)
export const H_PROTO: usize = 16; //      u32 PROTO_NONE / PROTO_TLS12 / PROTO_TLS13
export const H_RECVER: usize = 20; //     u32 legacy_record_version written on plaintext records
export const H_AEAD: usize = 24; //       u32 AEAD_NONE (plaintext) / AEAD_AES_128_GCM / AEAD_AES_256_GCM
export const H_HASH: usize = 28; //       u32 hash of the traffic secret (1.3, for KeyUpdate), else 0
export const H_SEQ: usize = 32; //        u64 next sequence number
export const H_SOFT: usize = 40; //       u32 records after which a KeyUpdate is due (0 = never)
export const H_HARD: usize = 44; //       u32 records after which sealing stops (0 = never)
export const H_FLAGS: usize = 48; //      u32 F_* below
export const H_RSL: usize = 52; //        u32 record_size_limit in force (0 = protocol maximum)
export const H_PAD: usize = 56; //        u32 TLS 1.3 padding block (0 = no padding)
export const H_LASTTYPE: usize = 60; //   u32 content type of the last record opened
export const H_USELESS: usize = 64; //    u32 consecutive records that carried nothing
export const H_SECRETLEN: usize = 68; //  u32 length of the stored traffic secret (1.3)
export const H_ALERTBUF: usize = 72; //   [2] alert being sealed (level, description)
export const H_IV: usize = 80; //         [16] 1.3 static IV (12) or 1.2 salt (4)
export const H_NONCE: usize = 96; //      [16] per-record nonce scratch
export const H_AAD: usize = 112; //       [16] per-record additional data scratch (13 bytes max)
export const H_SECRET: usize = 128; //    [48] 1.3 traffic secret, for KeyUpdate
export const H_AEADCTX: usize = 192; //   AEAD key context
export const HALF_CTX_SIZE: usize = (H_AEADCTX + AEAD_CTX_SIZE + 15) & ~(<usize>15);

export const HALF_MAGIC: u32 = 0x48534c54; // "TLSH" little-endian
export const DIR_READ: u32 = 0;
export const DIR_WRITE: u32 = 1;

export const F_CLOSED: u32 = 1; //        close_notify seen (read) / sent (write)
export const F_CCS_OK: u32 = 2; //        a TLS 1.3 compatibility change_cipher_spec may be dropped
export const F_EXHAUSTED: u32 = 4; //     sequence number 2^64-1 has been used
export const F_KEY_UPDATE_DUE: u32 = 8; // soft usage limit reached (write half)

/**
 * A half-connection context whose fields that steer memory accesses or key use are sane: the magic,
 * the direction, the protocol, the AEAD (and, when one is installed, its key context: AES round
 * count, GHASH powers), the stored secret's length (its hash's length, or 0), the padding block and
 * the record_size_limit. The context is caller-owned arena memory the host can overwrite; every
 * entry point checks this before it follows a length or a round count from it.
 */
export function isHalf(h: usize): bool {
  if (load<u32>(h + H_MAGIC) != HALF_MAGIC) return false;
  const dir = load<u32>(h + H_DIR);
  const proto = load<u32>(h + H_PROTO);
  const aead = load<u32>(h + H_AEAD);
  const secretLen = load<u32>(h + H_SECRETLEN);
  if (dir != DIR_READ && dir != DIR_WRITE) return false;
  if (proto != PROTO_NONE && proto != PROTO_TLS12 && proto != PROTO_TLS13) return false;
  if (aead > AEAD_AES_256_GCM || (aead != AEAD_NONE && !aeadReady(h + H_AEADCTX))) return false;
  if (secretLen != 0 && secretLen != hashLen(load<u32>(h + H_HASH))) return false;
  return load<u32>(h + H_PAD) <= 16384 && load<u32>(h + H_RSL) <= 0xffff;
}

/** Records a fatal error unless one is already recorded; returns the first (sticky) error. */
export function fail(h: usize, status: i32, alert: u32): i32 {
  const prev = load<i32>(h + H_ERROR);
  if (prev != 0) return prev;
  store<i32>(h + H_ERROR, status);
  store<u32>(h + H_ALERT, alert);
  return status;
}

export function halfInit(h: usize, dir: u32): i32 {
  if (dir != DIR_READ && dir != DIR_WRITE) return ERR_ARG;
  wipe(h, HALF_CTX_SIZE);
  store<u32>(h + H_MAGIC, HALF_MAGIC);
  store<u32>(h + H_DIR, dir);
  store<u32>(h + H_ALERT, ALERT_NONE);
  store<u32>(h + H_RECVER, RECORD_VERSION_TLS12);
  store<u32>(h + H_SOFT, GCM_RECORD_SOFT_LIMIT);
  store<u32>(h + H_HARD, GCM_RECORD_LIMIT);
  return OK;
}

/** Sets the negotiated version on a half that may still be unprotected (e.g. TLS 1.2 after ServerHello). */
export function halfSetProtocol(h: usize, proto: u32): i32 {
  if (proto != PROTO_NONE && proto != PROTO_TLS12 && proto != PROTO_TLS13) return ERR_ARG;
  const cur = load<u32>(h + H_PROTO);
  // A protected half never changes version; an unprotected one may learn it once.
  if (load<u32>(h + H_AEAD) != AEAD_NONE && proto != cur) return ERR_STATE;
  if (cur != PROTO_NONE && proto != cur) return ERR_STATE;
  store<u32>(h + H_PROTO, proto);
  return OK;
}

@inline export function aeadKeyLen(aead: u32): u32 {
  return aead == AEAD_AES_128_GCM ? 16 : aead == AEAD_AES_256_GCM ? 32 : 0;
}

/** Resets the per-key counters after new keys are in place. */
function keysChanged(h: usize): void {
  store<u64>(h + H_SEQ, 0);
  store<u32>(h + H_FLAGS, load<u32>(h + H_FLAGS) & ~(F_EXHAUSTED | F_KEY_UPDATE_DUE));
  store<u32>(h + H_USELESS, 0);
}

/**
 * Installs raw keys: key (16/32 bytes) and the 12-byte TLS 1.3 IV or the 4-byte TLS 1.2 salt.
 * The sequence number restarts at 0. Nothing changes when an argument is refused.
 */
export function halfSetKey(h: usize, proto: u32, aead: u32, key: usize, keyLen: usize, iv: usize, ivLen: usize): i32 {
  if (proto != PROTO_TLS12 && proto != PROTO_TLS13) return ERR_ARG;
  const kl = aeadKeyLen(aead);
  if (kl == 0) return ERR_ARG;
  if (<u32>keyLen != kl) return ERR_KEY_LENGTH;
  if (<u32>ivLen != (proto == PROTO_TLS13 ? TLS13_IV_LEN : TLS12_SALT_LEN)) return ERR_ARG;
  const cur = load<u32>(h + H_PROTO);
  if (cur != PROTO_NONE && cur != proto) return ERR_STATE;
  // TLS 1.2 keys are installed once per connection (no renegotiation).
  if (proto == PROTO_TLS12 && load<u32>(h + H_AEAD) != AEAD_NONE) return ERR_STATE;
  const r = aeadKeyInit(h + H_AEADCTX, key, keyLen);
  if (r != OK) return r;
  store<u32>(h + H_PROTO, proto);
  store<u32>(h + H_AEAD, aead);
  wipe(h + H_IV, 16);
  memory.copy(h + H_IV, iv, ivLen);
  wipe(h + H_SECRET, MAX_HASH_LEN);
  store<u32>(h + H_SECRETLEN, 0);
  store<u32>(h + H_HASH, 0);
  keysChanged(h);
  return OK;
}

/**
 * TLS 1.3: installs the keys of a traffic secret (RFC 8446 §7.3):
 *   key = HKDF-Expand-Label(secret, "key", "", key_length); iv = HKDF-Expand-Label(secret, "iv", "", 12).
 * The secret is kept in the context for KeyUpdate. `work` is 48 bytes of scratch, wiped on return.
 */
export function halfInstall13(h: usize, aead: u32, alg: u32, secret: usize, secretLen: usize, work: usize): i32 {
  const hl = hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (<u32>secretLen != hl) return ERR_KEY_LENGTH;
  const kl = aeadKeyLen(aead);
  if (kl == 0) return ERR_ARG;
  const cur = load<u32>(h + H_PROTO);
  if (cur != PROTO_NONE && cur != PROTO_TLS13) return ERR_STATE;
  // derive into scratch first: the half is untouched if key setup fails
  expandLabel(alg, secret, secretLen, LABEL_KEY, LABEL_KEY_LEN, 0, 0, work, kl);
  expandLabel(alg, secret, secretLen, LABEL_IV, LABEL_IV_LEN, 0, 0, work + 32, TLS13_IV_LEN);
  const r = aeadKeyInit(h + H_AEADCTX, work, kl);
  if (r != OK) {
    wipe(work, 48);
    return r;
  }
  store<u32>(h + H_PROTO, PROTO_TLS13);
  store<u32>(h + H_AEAD, aead);
  wipe(h + H_IV, 16);
  memory.copy(h + H_IV, work + 32, TLS13_IV_LEN);
  wipe(work, 48);
  // secret may be the context's own stored secret (KeyUpdate): copy only when distinct
  if (secret != h + H_SECRET) {
    wipe(h + H_SECRET, MAX_HASH_LEN);
    memory.copy(h + H_SECRET, secret, secretLen);
  }
  store<u32>(h + H_SECRETLEN, hl);
  store<u32>(h + H_HASH, alg);
  keysChanged(h);
  return OK;
}

/**
 * TLS 1.3 KeyUpdate (RFC 8446 §7.2):
 *   application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 * then re-derives key and IV; the sequence number restarts at 0. `work` is 48 bytes of scratch.
 */
export function halfKeyUpdate(h: usize, work: usize): i32 {
  if (load<u32>(h + H_PROTO) != PROTO_TLS13 || load<u32>(h + H_SECRETLEN) == 0) return ERR_STATE;
  const alg = load<u32>(h + H_HASH);
  const hl = <usize>load<u32>(h + H_SECRETLEN);
  expandLabel(alg, h + H_SECRET, hl, LABEL_TRAFFIC_UPD, LABEL_TRAFFIC_UPD_LEN, 0, 0, work, hl);
  memory.copy(h + H_SECRET, work, hl);
  wipe(work, 48);
  return halfInstall13(h, load<u32>(h + H_AEAD), alg, h + H_SECRET, hl, work);
}

/** Sets the record_size_limit (RFC 8449) this direction enforces; 0 restores the protocol maximum. */
export function halfSetRecordSizeLimit(h: usize, limit: u32): i32 {
  if (limit != 0 && (limit < MIN_RECORD_SIZE_LIMIT || limit > 0xffff)) return ERR_ARG;
  store<u32>(h + H_RSL, limit);
  return OK;
}

/**
 * The largest TLSInnerPlaintext (1.3: content + type + padding) or TLSPlaintext.fragment (1.2,
 * unprotected) this half accepts or produces. record_size_limit applies to protected records only
 * (RFC 8449 §4: "Unprotected messages ... are not subject to this limit"), and is clamped to the
 * protocol maximum (a larger value means the protocol maximum).
 */
export function maxInner(h: usize): u32 {
  const aead = load<u32>(h + H_AEAD);
  if (aead == AEAD_NONE) return MAX_PLAINTEXT;
  const rsl = load<u32>(h + H_RSL);
  const cap = load<u32>(h + H_PROTO) == PROTO_TLS13 ? MAX_INNER_TLS13 : MAX_PLAINTEXT;
  return rsl == 0 || rsl > cap ? cap : rsl;
}

/** The largest content carried by one record written by this half. */
export function maxFragment(h: usize): u32 {
  const inner = maxInner(h);
  if (load<u32>(h + H_AEAD) != AEAD_NONE && load<u32>(h + H_PROTO) == PROTO_TLS13) return inner - 1;
  return inner;
}

/**
 * Reserves n sequence numbers (n >= 1) for records about to be protected. Returns the first, or
 * fails the half (sticky) with ERR_TLS_SEQ_EXHAUSTED when the 64-bit number would wrap
 * (RFC 8446 §5.3: "If a TLS implementation would need to wrap a sequence number, it MUST either
 * rekey or terminate the connection"). Callers check everything else before reserving.
 */
export function seqCanTake(h: usize, n: u64): bool {
  if ((load<u32>(h + H_FLAGS) & F_EXHAUSTED) != 0) return false;
  const seq = load<u64>(h + H_SEQ);
  // numbers seq .. seq+n-1 must all exist: n-1 <= 2^64-1 - seq
  return n - 1 <= (0xffffffffffffffff - seq);
}

/** Advances the sequence number by n after the records are protected; marks exhaustion on wrap. */
export function seqAdvance(h: usize, n: u64): void {
  const next = load<u64>(h + H_SEQ) + n;
  store<u64>(h + H_SEQ, next);
  if (next == 0) store<u32>(h + H_FLAGS, load<u32>(h + H_FLAGS) | F_EXHAUSTED);
}

export function failExhausted(h: usize): i32 {
  return fail(h, ERR_TLS_SEQ_EXHAUSTED, ALERT_INTERNAL_ERROR);
}

/** Marks the direction closed (close_notify, or a fatal alert sent); later records give ERR_TLS_CLOSED. */
export function closeHalf(h: usize, alert: u32): void {
  store<u32>(h + H_FLAGS, load<u32>(h + H_FLAGS) | F_CLOSED);
  fail(h, ERR_TLS_CLOSED, alert);
}
