// The handshake transcript hash (RFC 8446 §4.4.1, RFC 5246 §7.4.9), kept in the core. Until the
// cipher suite is known the context runs SHA-256 and SHA-384 side by side (a TLS 1.2 client hashes
// its ClientHello before the server picks the PRF hash); tls_transcript_select() then keeps one.
// A snapshot finalises a copy, so the running hash continues.
//
// Caller-owned context of tls_transcript_ctx_size() bytes, no pointers.
import { OK, ERR_ARG, ERR_STATE } from "../abi/status";
import { wipe } from "../util/ct";
import { ALG_SHA256, ALG_SHA384, HASH_CTX_SIZE, hashLen, hashLive, hashInit, hashUpdate, hashFinal } from "./crypto";

const T_MAGIC: usize = 0; //   u32 "TLST"
const T_ALGS: usize = 4; //    u32 bit (1 << alg) set for each running hash
const T_CTX: usize = 16; //    SHA-256 context, SHA-384 context, snapshot scratch
const T_STRIDE: usize = (HASH_CTX_SIZE + 15) & ~(<usize>15);
export const TRANSCRIPT_CTX_SIZE: usize = T_CTX + 3 * T_STRIDE;
const TRANSCRIPT_MAGIC: u32 = 0x54534c54; // "TLST"

/**
 * A transcript context every field of which is sane: the magic, a non-empty set of running hashes
 * (SHA-256, SHA-384 only), and each running hash's context live and of its algorithm. The context
 * is caller-owned arena memory the host can overwrite; every entry point checks this before the
 * hash code trusts a buffer count or an algorithm id from it (a corrupt count made the padding write
 * outside the context: found by the core-abi fuzzer).
 */
export function isTranscript(t: usize): bool {
  if (load<u32>(t + T_MAGIC) != TRANSCRIPT_MAGIC) return false;
  const algs = load<u32>(t + T_ALGS);
  const known: u32 = (1 << ALG_SHA256) | (1 << ALG_SHA384);
  if (algs == 0 || (algs & ~known) != 0) return false;
  if ((algs & (1 << ALG_SHA256)) != 0 && !hashLive(slot(t, ALG_SHA256), ALG_SHA256)) return false;
  if ((algs & (1 << ALG_SHA384)) != 0 && !hashLive(slot(t, ALG_SHA384), ALG_SHA384)) return false;
  return true;
}

@inline function slot(t: usize, alg: u32): usize {
  return t + T_CTX + (alg == ALG_SHA256 ? 0 : T_STRIDE);
}

@inline function scratch(t: usize): usize {
  return t + T_CTX + 2 * T_STRIDE;
}

/** alg 0 runs both SHA-256 and SHA-384; otherwise only the one given. */
export function transcriptInit(t: usize, alg: u32): i32 {
  if (alg != 0 && hashLen(alg) == 0) return ERR_ARG;
  wipe(t, TRANSCRIPT_CTX_SIZE);
  store<u32>(t + T_MAGIC, TRANSCRIPT_MAGIC);
  let algs: u32 = 0;
  if (alg == 0 || alg == ALG_SHA256) {
    hashInit(slot(t, ALG_SHA256), ALG_SHA256);
    algs |= 1 << ALG_SHA256;
  }
  if (alg == 0 || alg == ALG_SHA384) {
    hashInit(slot(t, ALG_SHA384), ALG_SHA384);
    algs |= 1 << ALG_SHA384;
  }
  store<u32>(t + T_ALGS, algs);
  return OK;
}

@inline export function transcriptRuns(t: usize, alg: u32): bool {
  return hashLen(alg) != 0 && (load<u32>(t + T_ALGS) & (1 << alg)) != 0;
}

/** Keeps only alg's hash (the suite's hash is now known); the other is wiped. */
export function transcriptSelect(t: usize, alg: u32): i32 {
  if (!transcriptRuns(t, alg)) return ERR_STATE;
  const other = alg == ALG_SHA256 ? ALG_SHA384 : ALG_SHA256;
  wipe(slot(t, other), HASH_CTX_SIZE);
  store<u32>(t + T_ALGS, 1 << alg);
  return OK;
}

export function transcriptUpdate(t: usize, p: usize, n: usize): void {
  const algs = load<u32>(t + T_ALGS);
  if ((algs & (1 << ALG_SHA256)) != 0) hashUpdate(slot(t, ALG_SHA256), p, n);
  if ((algs & (1 << ALG_SHA384)) != 0) hashUpdate(slot(t, ALG_SHA384), p, n);
}

/** Transcript-Hash of everything so far under alg, written to out; the running hash continues. */
export function transcriptHash(t: usize, alg: u32, out: usize): i32 {
  if (!transcriptRuns(t, alg)) return ERR_STATE;
  const s = scratch(t);
  memory.copy(s, slot(t, alg), HASH_CTX_SIZE);
  hashFinal(s, out);
  wipe(s, HASH_CTX_SIZE);
  return <i32>hashLen(alg);
}

/**
 * HelloRetryRequest (RFC 8446 §4.4.1): replaces ClientHello1, already hashed, by the synthetic
 * message_hash message: handshake type 254, a 3-byte length Hash.length, then Hash(ClientHello1).
 * Call after hashing ClientHello1 and before hashing the HelloRetryRequest.
 */
export function transcriptHelloRetry(t: usize, msg: usize): i32 {
  // msg: 4 + 48 bytes of scratch owned by the caller
  const algs = load<u32>(t + T_ALGS);
  for (let alg: u32 = ALG_SHA256; alg <= ALG_SHA384; alg++) {
    if ((algs & (1 << alg)) == 0) continue;
    const hl = hashLen(alg);
    store<u8>(msg, 254);
    store<u8>(msg + 1, 0);
    store<u8>(msg + 2, 0);
    store<u8>(msg + 3, <u8>hl);
    transcriptHash(t, alg, msg + 4);
    hashInit(slot(t, alg), alg);
    hashUpdate(slot(t, alg), msg, 4 + <usize>hl);
  }
  wipe(msg, 52);
  return OK;
}
