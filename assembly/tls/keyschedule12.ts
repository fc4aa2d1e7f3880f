// TLS 1.2 key derivations over the PRF (RFC 5246 §5), for the AEAD suites:
//   master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]  (RFC 7627 §4)
//   master_secret = PRF(pre_master_secret, "master secret", client_random + server_random)[0..47]  (RFC 5246 §8.1)
//   key_block     = PRF(master_secret, "key expansion", server_random + client_random)  (RFC 5246 §6.3)
//                   -> client_write_key, server_write_key, client_write_IV(4), server_write_IV(4)
//                      (no MAC keys for AEAD suites; the IVs are the RFC 5288 implicit salts)
//   verify_data   = PRF(master_secret, "client finished" | "server finished", Hash(handshake_messages))[0..11]
//   exporter      = PRF(master_secret, label, client_random + server_random [+ context length + context])  (RFC 5705 §4)
// The PRF hash is SHA-256, or SHA-384 for the *_SHA384 suites (RFC 5288 §3).
import { OK, ERR_ARG, ERR_STATE, ERR_KEY_LENGTH } from "../abi/status";
import { ERR_TLS_DECRYPT_ERROR } from "../abi/status";
import { ctEqual, wipe } from "../util/ct";
import { MASTER_SECRET_LEN, RANDOM_LEN, VERIFY_DATA_LEN, SENDER_CLIENT, SENDER_SERVER, PROTO_TLS12, MAX_HASH_LEN } from "./constants";
import * as L from "./labels";
import { hashLen, prf } from "./crypto";
import { transcriptHash, isTranscript } from "./transcript";
import { aeadKeyLen, halfSetKey } from "./half";
import { WORK, W_S0, W_S1, W_SEED, W_SEED_SIZE } from "./work";

/** RFC 7627 §4: the extended master secret from the session hash (transcript through ClientKeyExchange). */
export function tls12MasterSecretEms(alg: u32, pms: usize, pmsLen: usize, t: usize, out: usize): i32 {
  if (hashLen(alg) == 0 || pmsLen == 0) return ERR_ARG;
  if (!isTranscript(t)) return ERR_STATE;
  const hl = transcriptHash(t, alg, WORK + W_S0);
  if (hl < 0) return hl;
  prf(alg, pms, pmsLen, L.LABEL_EXTENDED_MASTER_SECRET, L.LABEL_EXTENDED_MASTER_SECRET_LEN, WORK + W_S0, <usize>hl, WORK + W_S1, MASTER_SECRET_LEN);
  memory.copy(out, WORK + W_S1, MASTER_SECRET_LEN);
  wipe(WORK + W_S0, 2 * MAX_HASH_LEN);
  return <i32>MASTER_SECRET_LEN;
}

/** RFC 5246 §8.1: the master secret without the extended-master-secret extension. */
export function tls12MasterSecret(alg: u32, pms: usize, pmsLen: usize, clientRandom: usize, serverRandom: usize, out: usize): i32 {
  if (hashLen(alg) == 0 || pmsLen == 0) return ERR_ARG;
  const seed = WORK + W_SEED;
  memory.copy(seed, clientRandom, RANDOM_LEN);
  memory.copy(seed + RANDOM_LEN, serverRandom, RANDOM_LEN);
  prf(alg, pms, pmsLen, L.LABEL_MASTER_SECRET, L.LABEL_MASTER_SECRET_LEN, seed, 2 * RANDOM_LEN, WORK + W_S1, MASTER_SECRET_LEN);
  memory.copy(out, WORK + W_S1, MASTER_SECRET_LEN);
  wipe(WORK + W_S1, MAX_HASH_LEN);
  wipe(seed, 2 * RANDOM_LEN);
  return <i32>MASTER_SECRET_LEN;
}

/** RFC 5246 §6.3 key_block of outLen bytes. */
export function tls12KeyBlock(alg: u32, master: usize, masterLen: usize, clientRandom: usize, serverRandom: usize, out: usize, outLen: usize): i32 {
  if (hashLen(alg) == 0 || outLen > 1024) return ERR_ARG;
  if (masterLen != MASTER_SECRET_LEN) return ERR_KEY_LENGTH;
  const seed = WORK + W_SEED;
  memory.copy(seed, serverRandom, RANDOM_LEN);
  memory.copy(seed + RANDOM_LEN, clientRandom, RANDOM_LEN);
  prf(alg, master, MASTER_SECRET_LEN, L.LABEL_KEY_EXPANSION, L.LABEL_KEY_EXPANSION_LEN, seed, 2 * RANDOM_LEN, out, outLen);
  wipe(seed, 2 * RANDOM_LEN);
  return <i32>outLen;
}

/**
 * Installs one direction's keys from the master secret: side SENDER_CLIENT takes client_write_key
 * and client_write_IV (a client's write half, a server's read half), SENDER_SERVER the server's.
 * The key block never leaves the core's scratch, which is wiped.
 */
export function tls12HalfInstall(h: usize, aead: u32, alg: u32, master: usize, masterLen: usize, clientRandom: usize, serverRandom: usize, side: u32): i32 {
  const kl = <usize>aeadKeyLen(aead);
  if (kl == 0 || hashLen(alg) == 0 || (side != SENDER_CLIENT && side != SENDER_SERVER)) return ERR_ARG;
  if (masterLen != MASTER_SECRET_LEN) return ERR_KEY_LENGTH;
  const kb = WORK + W_SEED + 2 * RANDOM_LEN; // 2*32 + 8 = 72 bytes at most
  tls12KeyBlock(alg, master, masterLen, clientRandom, serverRandom, kb, 2 * kl + 8);
  const key = kb + (side == SENDER_CLIENT ? 0 : kl);
  const iv = kb + 2 * kl + (side == SENDER_CLIENT ? 0 : 4);
  const r = halfSetKey(h, PROTO_TLS12, aead, key, kl, iv, 4);
  wipe(kb, 2 * kl + 8);
  return r;
}

/** verify_data into WORK + W_S1; returns 12 or a status. */
function finished12(alg: u32, master: usize, masterLen: usize, sender: u32, t: usize): i32 {
  if (hashLen(alg) == 0 || (sender != SENDER_CLIENT && sender != SENDER_SERVER)) return ERR_ARG;
  if (masterLen != MASTER_SECRET_LEN) return ERR_KEY_LENGTH;
  if (!isTranscript(t)) return ERR_STATE;
  const hl = transcriptHash(t, alg, WORK + W_S0);
  if (hl < 0) return hl;
  const label = sender == SENDER_CLIENT ? L.LABEL_CLIENT_FINISHED : L.LABEL_SERVER_FINISHED;
  prf(alg, master, MASTER_SECRET_LEN, label, L.LABEL_CLIENT_FINISHED_LEN, WORK + W_S0, <usize>hl, WORK + W_S1, VERIFY_DATA_LEN);
  wipe(WORK + W_S0, MAX_HASH_LEN);
  return <i32>VERIFY_DATA_LEN;
}

export function tls12Finished(alg: u32, master: usize, masterLen: usize, sender: u32, t: usize, out: usize): i32 {
  const r = finished12(alg, master, masterLen, sender, t);
  if (r < 0) return r;
  memory.copy(out, WORK + W_S1, VERIFY_DATA_LEN);
  wipe(WORK + W_S1, MAX_HASH_LEN);
  return r;
}

/** Constant-time check of a received verify_data; ERR_TLS_DECRYPT_ERROR when it differs (RFC 5246 §7.4.9). */
export function tls12FinishedVerify(alg: u32, master: usize, masterLen: usize, sender: u32, t: usize, data: usize, dataLen: usize): i32 {
  const r = finished12(alg, master, masterLen, sender, t);
  if (r < 0) return r;
  const same = dataLen == <usize>VERIFY_DATA_LEN ? ctEqual(WORK + W_S1, data, VERIFY_DATA_LEN) : 0;
  wipe(WORK + W_S1, MAX_HASH_LEN);
  return same == 1 ? OK : ERR_TLS_DECRYPT_ERROR;
}

/** Largest exporter context the scratch seed holds. */
export const TLS12_EXPORTER_MAX_CONTEXT: usize = W_SEED_SIZE - 2 * RANDOM_LEN - 2;

/**
 * RFC 5705 §4 keying material exporter for TLS 1.2:
 *   PRF(master_secret, label, client_random + server_random [+ context_value_length + context_value])
 * useContext 0 omits the context entirely (which differs from an empty context).
 */
export function tls12Exporter(alg: u32, master: usize, masterLen: usize, label: usize, labelLen: usize, clientRandom: usize, serverRandom: usize, context: usize, contextLen: usize, useContext: u32, out: usize, outLen: usize): i32 {
  if (hashLen(alg) == 0 || labelLen == 0 || labelLen > 255 || useContext > 1) return ERR_ARG;
  if (masterLen != MASTER_SECRET_LEN) return ERR_KEY_LENGTH;
  if (contextLen > TLS12_EXPORTER_MAX_CONTEXT || (useContext == 0 && contextLen != 0)) return ERR_ARG;
  const seed = WORK + W_SEED;
  memory.copy(seed, clientRandom, RANDOM_LEN);
  memory.copy(seed + RANDOM_LEN, serverRandom, RANDOM_LEN);
  let seedLen: usize = 2 * <usize>RANDOM_LEN;
  if (useContext != 0) {
    store<u8>(seed + seedLen, <u8>(contextLen >>> 8));
    store<u8>(seed + seedLen + 1, <u8>contextLen);
    memory.copy(seed + seedLen + 2, context, contextLen);
    seedLen += 2 + contextLen;
  }
  prf(alg, master, MASTER_SECRET_LEN, label, labelLen, seed, seedLen, out, outLen);
  wipe(seed, seedLen);
  return <i32>outLen;
}
