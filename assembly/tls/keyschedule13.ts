// TLS 1.3 key schedule (RFC 8446 §7.1):
//
//              0
//              |
//    PSK ->  HKDF-Extract = Early Secret  --> Derive-Secret(., "ext binder" | "res binder", "")
//              |                          --> Derive-Secret(., "c e traffic", ClientHello)
//              |                          --> Derive-Secret(., "e exp master", ClientHello)
//        Derive-Secret(., "derived", "")
//              |
//  (EC)DHE -> HKDF-Extract = Handshake Secret --> Derive-Secret(., "c hs traffic", CH..SH)
//              |                              --> Derive-Secret(., "s hs traffic", CH..SH)
//        Derive-Secret(., "derived", "")
//              |
//     0 -> HKDF-Extract = Master Secret --> Derive-Secret(., "c ap traffic", CH..server Finished)
//                                       --> Derive-Secret(., "s ap traffic", CH..server Finished)
//                                       --> Derive-Secret(., "exp master", CH..server Finished)
//                                       --> Derive-Secret(., "res master", CH..client Finished)
//
// Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
//
// The stage secrets (early, handshake, master) never leave the key-schedule context; only the
// secrets the handshake needs (traffic, exporter, resumption, binder) are written out, into arena
// blocks the host holds as opaque handles. The context is caller-owned, without pointers.
import { OK, ERR_ARG, ERR_STATE, ERR_KEY_LENGTH } from "../abi/status";
import { ERR_TLS_DECRYPT_ERROR } from "../abi/status";
import { ctEqual, wipe } from "../util/ct";
import {
  STAGE_NONE, STAGE_EARLY, STAGE_HANDSHAKE, STAGE_MASTER, MAX_HASH_LEN,
  LABEL_EXT_BINDER as ID_EXT_BINDER, LABEL_RES_BINDER as ID_RES_BINDER, LABEL_C_E_TRAFFIC as ID_C_E_TRAFFIC,
  LABEL_E_EXP_MASTER as ID_E_EXP_MASTER, LABEL_C_HS_TRAFFIC as ID_C_HS_TRAFFIC, LABEL_S_HS_TRAFFIC as ID_S_HS_TRAFFIC,
  LABEL_C_AP_TRAFFIC as ID_C_AP_TRAFFIC, LABEL_S_AP_TRAFFIC as ID_S_AP_TRAFFIC, LABEL_EXP_MASTER as ID_EXP_MASTER,
  LABEL_RES_MASTER as ID_RES_MASTER,
} from "./constants";
import * as L from "./labels";
import { ALG_SHA256, hashLen, hashInit, hashUpdate, hashFinal, hkdfExtract, expandLabel, hmac } from "./crypto";
import { transcriptHash, isTranscript } from "./transcript";
import { WORK, W_HASH, W_S0, W_S1, W_S2, W_S3 } from "./work";

const K_MAGIC: usize = 0; //  u32 "TLSK"
const K_ALG: usize = 4; //    u32 hash id
const K_STAGE: usize = 8; //  u32 STAGE_*
const K_HLEN: usize = 12; //  u32 Hash.length
const K_SECRET: usize = 16; // [48] the current stage secret
/** Offset of the stage secret (for the power-on self-test only). */
export const KS13_SECRET: usize = K_SECRET;
const K_WORK: usize = 64; //  [48] the "derived" secret between stages
export const KS13_CTX_SIZE: usize = 112;
const KS_MAGIC: u32 = 0x4b534c54; // "TLSK"

/** Hash("") for SHA-256 and SHA-384 (FIPS 180-4; the empty-message digests in tests/vectors/sha_fips180.json). */
const EMPTY_SHA256: usize = memory.data<u8>([
  0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
  0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
]);
const EMPTY_SHA384: usize = memory.data<u8>([
  0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a,
  0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda,
  0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b,
]);
/** Hash.length zero bytes: the salt of the first Extract and the IKM when there is no PSK / no DHE. */
const ZEROS: usize = memory.data(48, 16);

@inline export function emptyHash(alg: u32): usize {
  return alg == ALG_SHA256 ? EMPTY_SHA256 : EMPTY_SHA384;
}

/**
 * A key-schedule context whose fields are sane: the magic, a TLS hash, Hash.length stored to
 * match, and a stage that exists. Caller-owned arena memory: every entry point checks this before
 * it derives Hash.length bytes into scratch.
 */
export function isKs13(ks: usize): bool {
  if (load<u32>(ks + K_MAGIC) != KS_MAGIC) return false;
  const hl = hashLen(load<u32>(ks + K_ALG));
  const stage = load<u32>(ks + K_STAGE);
  return hl != 0 && load<u32>(ks + K_HLEN) == hl && (stage == STAGE_EARLY || stage == STAGE_HANDSHAKE || stage == STAGE_MASTER);
}

/** Early Secret = HKDF-Extract(salt = 0, IKM = PSK, or Hash.length zeros without a PSK). */
export function ks13Init(ks: usize, alg: u32, psk: usize, pskLen: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  wipe(ks, KS13_CTX_SIZE);
  store<u32>(ks + K_MAGIC, KS_MAGIC);
  store<u32>(ks + K_ALG, alg);
  store<u32>(ks + K_HLEN, <u32>hl);
  if (pskLen == 0) hkdfExtract(alg, ZEROS, hl, ZEROS, hl, ks + K_SECRET);
  else hkdfExtract(alg, ZEROS, hl, psk, pskLen, ks + K_SECRET);
  store<u32>(ks + K_STAGE, STAGE_EARLY);
  return OK;
}

/** secret_next = HKDF-Extract(Derive-Secret(secret, "derived", ""), ikm). */
function nextStage(ks: usize, ikm: usize, ikmLen: usize, stage: u32): void {
  const alg = load<u32>(ks + K_ALG);
  const hl = <usize>load<u32>(ks + K_HLEN);
  expandLabel(alg, ks + K_SECRET, hl, L.LABEL_DERIVED, L.LABEL_DERIVED_LEN, emptyHash(alg), hl, ks + K_WORK, hl);
  hkdfExtract(alg, ks + K_WORK, hl, ikm, ikmLen, ks + K_SECRET);
  wipe(ks + K_WORK, MAX_HASH_LEN);
  store<u32>(ks + K_STAGE, stage);
}

/** Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE shared secret). */
export function ks13Handshake(ks: usize, shared: usize, sharedLen: usize): i32 {
  if (load<u32>(ks + K_STAGE) != STAGE_EARLY) return ERR_STATE;
  if (sharedLen == 0) return ERR_ARG;
  nextStage(ks, shared, sharedLen, STAGE_HANDSHAKE);
  return OK;
}

/** Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0). */
export function ks13Master(ks: usize): i32 {
  if (load<u32>(ks + K_STAGE) != STAGE_HANDSHAKE) return ERR_STATE;
  nextStage(ks, ZEROS, <usize>load<u32>(ks + K_HLEN), STAGE_MASTER);
  return OK;
}

/**
 * Derive-Secret(stage secret, label, Transcript-Hash(messages)) -> out (Hash.length bytes).
 * label is a LABEL_* id and must belong to the current stage; t is a transcript context running
 * this schedule's hash, or 0 for the empty transcript (binder labels take only 0).
 */
export function ks13Derive(ks: usize, id: u32, t: usize, out: usize): i32 {
  const stage = load<u32>(ks + K_STAGE);
  const alg = load<u32>(ks + K_ALG);
  const hl = <usize>load<u32>(ks + K_HLEN);
  let label: usize = 0;
  let labelLen: usize = 0;
  let want: u32 = STAGE_NONE;
  let emptyOnly = false;
  if (id == ID_EXT_BINDER) { label = L.LABEL_EXT_BINDER; labelLen = L.LABEL_EXT_BINDER_LEN; want = STAGE_EARLY; emptyOnly = true; }
  else if (id == ID_RES_BINDER) { label = L.LABEL_RES_BINDER; labelLen = L.LABEL_RES_BINDER_LEN; want = STAGE_EARLY; emptyOnly = true; }
  else if (id == ID_C_E_TRAFFIC) { label = L.LABEL_C_E_TRAFFIC; labelLen = L.LABEL_C_E_TRAFFIC_LEN; want = STAGE_EARLY; }
  else if (id == ID_E_EXP_MASTER) { label = L.LABEL_E_EXP_MASTER; labelLen = L.LABEL_E_EXP_MASTER_LEN; want = STAGE_EARLY; }
  else if (id == ID_C_HS_TRAFFIC) { label = L.LABEL_C_HS_TRAFFIC; labelLen = L.LABEL_C_HS_TRAFFIC_LEN; want = STAGE_HANDSHAKE; }
  else if (id == ID_S_HS_TRAFFIC) { label = L.LABEL_S_HS_TRAFFIC; labelLen = L.LABEL_S_HS_TRAFFIC_LEN; want = STAGE_HANDSHAKE; }
  else if (id == ID_C_AP_TRAFFIC) { label = L.LABEL_C_AP_TRAFFIC; labelLen = L.LABEL_C_AP_TRAFFIC_LEN; want = STAGE_MASTER; }
  else if (id == ID_S_AP_TRAFFIC) { label = L.LABEL_S_AP_TRAFFIC; labelLen = L.LABEL_S_AP_TRAFFIC_LEN; want = STAGE_MASTER; }
  else if (id == ID_EXP_MASTER) { label = L.LABEL_EXP_MASTER; labelLen = L.LABEL_EXP_MASTER_LEN; want = STAGE_MASTER; }
  else if (id == ID_RES_MASTER) { label = L.LABEL_RES_MASTER; labelLen = L.LABEL_RES_MASTER_LEN; want = STAGE_MASTER; }
  else return ERR_ARG;
  if (stage != want) return ERR_STATE;
  if (emptyOnly && t != 0) return ERR_ARG;
  let th = emptyHash(alg);
  if (t != 0) {
    if (!isTranscript(t)) return ERR_STATE;
    const r = transcriptHash(t, alg, WORK + W_S0);
    if (r < 0) return r;
    th = WORK + W_S0;
  }
  expandLabel(alg, ks + K_SECRET, hl, label, labelLen, th, hl, WORK + W_S1, hl);
  memory.copy(out, WORK + W_S1, hl);
  wipe(WORK + W_S0, 2 * MAX_HASH_LEN);
  return <i32>hl;
}

/**
 * verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*))
 * with finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4).
 * BaseKey is the sender's handshake traffic secret (or the binder key for a PSK binder). Written to
 * WORK + W_S2; returns Hash.length or a status.
 */
function finished13(alg: u32, base: usize, baseLen: usize, t: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (baseLen != hl) return ERR_KEY_LENGTH;
  if (!isTranscript(t)) return ERR_STATE;
  const r = transcriptHash(t, alg, WORK + W_S1);
  if (r < 0) return r;
  expandLabel(alg, base, hl, L.LABEL_FINISHED, L.LABEL_FINISHED_LEN, 0, 0, WORK + W_S0, hl);
  hmac(alg, WORK + W_S0, hl, WORK + W_S1, hl, WORK + W_S2);
  wipe(WORK + W_S0, 2 * MAX_HASH_LEN);
  return <i32>hl;
}

export function tls13Finished(alg: u32, base: usize, baseLen: usize, t: usize, out: usize): i32 {
  const r = finished13(alg, base, baseLen, t);
  if (r < 0) return r;
  memory.copy(out, WORK + W_S2, <usize>r);
  wipe(WORK + W_S2, MAX_HASH_LEN);
  return r;
}

/** Compares a received verify_data in constant time; ERR_TLS_DECRYPT_ERROR when it differs (RFC 8446 §4.4.4). */
export function tls13FinishedVerify(alg: u32, base: usize, baseLen: usize, t: usize, data: usize, dataLen: usize): i32 {
  const r = finished13(alg, base, baseLen, t);
  if (r < 0) return r;
  // The length is public (Hash.length); only the contents are compared in constant time.
  const same = dataLen == <usize>r ? ctEqual(WORK + W_S2, data, <usize>r) : 0;
  wipe(WORK + W_S2, MAX_HASH_LEN);
  return same == 1 ? OK : ERR_TLS_DECRYPT_ERROR;
}

/**
 * TLS-Exporter(label, context_value, key_length) =
 *   HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)
 * (RFC 8446 §7.5), with Secret the exporter_master_secret (or early_exporter_master_secret).
 * The label is the application's (e.g. "EXPORTER-..."), at most 249 bytes after "tls13 ".
 */
export function tls13Exporter(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, context: usize, contextLen: usize, out: usize, outLen: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (secretLen != hl) return ERR_KEY_LENGTH;
  // HkdfLabel.label is opaque<7..255> with "tls13 " in front: 1..249 bytes of application label
  if (labelLen == 0 || labelLen > 249 || outLen > 255 * hl || outLen > 0xffff) return ERR_ARG;
  expandLabel(alg, secret, hl, label, labelLen, emptyHash(alg), hl, WORK + W_S0, hl);
  hashInit(WORK + W_HASH, alg);
  hashUpdate(WORK + W_HASH, context, contextLen);
  hashFinal(WORK + W_HASH, WORK + W_S1);
  expandLabel(alg, WORK + W_S0, hl, L.LABEL_EXPORTER, L.LABEL_EXPORTER_LEN, WORK + W_S1, hl, out, outLen);
  wipe(WORK, W_S2);
  return <i32>outLen;
}

/** PSK for a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1). */
export function tls13ResumptionPsk(alg: u32, secret: usize, secretLen: usize, nonce: usize, nonceLen: usize, out: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (secretLen != hl) return ERR_KEY_LENGTH;
  if (nonceLen > 255) return ERR_ARG;
  expandLabel(alg, secret, hl, L.LABEL_RESUMPTION, L.LABEL_RESUMPTION_LEN, nonce, nonceLen, WORK + W_S3, hl);
  memory.copy(out, WORK + W_S3, hl);
  wipe(WORK + W_S3, MAX_HASH_LEN);
  return <i32>hl;
}

/** application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (RFC 8446 §7.2). */
export function tls13NextSecret(alg: u32, secret: usize, secretLen: usize, out: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (secretLen != hl) return ERR_KEY_LENGTH;
  expandLabel(alg, secret, hl, L.LABEL_TRAFFIC_UPD, L.LABEL_TRAFFIC_UPD_LEN, 0, 0, WORK + W_S3, hl);
  memory.copy(out, WORK + W_S3, hl);
  wipe(WORK + W_S3, MAX_HASH_LEN);
  return <i32>hl;
}

/** The traffic key and IV of a secret (RFC 8446 §7.3), for tests and key logs: key (keyLen) then iv (12). */
export function tls13TrafficKeys(alg: u32, secret: usize, secretLen: usize, keyLen: usize, out: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (secretLen != hl) return ERR_KEY_LENGTH;
  if (keyLen != 16 && keyLen != 32) return ERR_ARG;
  expandLabel(alg, secret, hl, L.LABEL_KEY, L.LABEL_KEY_LEN, 0, 0, WORK + W_S3, keyLen);
  expandLabel(alg, secret, hl, L.LABEL_IV, L.LABEL_IV_LEN, 0, 0, WORK + W_S3 + keyLen, 12);
  memory.copy(out, WORK + W_S3, keyLen + 12);
  wipe(WORK + W_S3, MAX_HASH_LEN);
  return <i32>(keyLen + 12);
}

export function ks13Alg(ks: usize): u32 {
  return load<u32>(ks + K_ALG);
}

export function ks13Stage(ks: usize): u32 {
  return load<u32>(ks + K_STAGE);
}
