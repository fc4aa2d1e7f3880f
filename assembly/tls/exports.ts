// ABI exports of the TLS record layer and key schedules (docs/abi.md, "TLS record layer").
// Every export checks every (pointer, length) pair with inArena() and returns ERR_BOUNDS before
// touching memory; contexts are checked for their magic (ERR_STATE when not initialised); outputs
// may not overlap inputs or contexts (ERR_ARG). Nothing here traps on hostile input.
import { OK, ERR_BOUNDS, ERR_ARG, ERR_STATE } from "../abi/status";
import { inArena, overlaps } from "../abi/arena";
import { wipe } from "../util/ct";
import { hashLen } from "./crypto";
import { MASTER_SECRET_LEN, RANDOM_LEN, VERIFY_DATA_LEN, CT_CHANGE_CIPHER_SPEC, CT_APPLICATION_DATA } from "./constants";
import {
  HALF_CTX_SIZE, H_DIR, H_ERROR, H_ALERT, H_PROTO, H_RECVER, H_SEQ, H_SOFT, H_HARD, H_FLAGS, H_PAD, H_LASTTYPE,
  F_CCS_OK, DIR_WRITE, isHalf, halfInit, halfSetProtocol, halfSetKey, halfInstall13, halfKeyUpdate,
  halfSetRecordSizeLimit, maxFragment,
} from "./half";
import { sealRecords, openRecord, sealAlert, sealedSize } from "./record";
import {
  REASM_CTX_SIZE, isReasm, reasmInit, reasmWant, reasmReady, reasmWritePtr, reasmCommit, reasmFeed, reasmOpen, reasmPending,
} from "./reasm";
import {
  TRANSCRIPT_CTX_SIZE, isTranscript, transcriptInit, transcriptSelect, transcriptUpdate, transcriptHash, transcriptHelloRetry,
} from "./transcript";
import {
  KS13_CTX_SIZE, isKs13, ks13Init, ks13Handshake, ks13Master, ks13Derive, ks13Alg, ks13Stage, tls13Finished,
  tls13FinishedVerify, tls13Exporter, tls13ResumptionPsk, tls13NextSecret, tls13TrafficKeys,
} from "./keyschedule13";
import {
  tls12MasterSecretEms, tls12MasterSecret, tls12KeyBlock, tls12HalfInstall, tls12Finished, tls12FinishedVerify, tls12Exporter,
} from "./keyschedule12";
import { WORK, W_S0 } from "./work";

/** An input range: empty (any pointer, nothing is read) or wholly inside the arena. */
@inline function okRange(p: usize, n: usize): bool {
  return n == 0 || inArena(p, n);
}

// ---------------------------------------------------------------- half connection

export function tls_half_ctx_size(): usize {
  return HALF_CTX_SIZE;
}

/** Initialises a half connection: dir 0 = read (open), 1 = write (seal). Unprotected until keys are installed. */
export function tls_half_init(h: usize, dir: u32): i32 {
  if (!inArena(h, HALF_CTX_SIZE)) return ERR_BOUNDS;
  return halfInit(h, dir);
}

/** Wipes the whole context (keys, IV, traffic secret, state). */
export function tls_half_close(h: usize): i32 {
  if (!inArena(h, HALF_CTX_SIZE)) return ERR_BOUNDS;
  wipe(h, HALF_CTX_SIZE);
  return OK;
}

@inline function halfOk(h: usize): i32 {
  if (!inArena(h, HALF_CTX_SIZE)) return ERR_BOUNDS;
  if (!isHalf(h)) return ERR_STATE;
  return OK;
}

/** The negotiated version (0x0303 or 0x0304) before keys are installed (e.g. TLS 1.2 after ServerHello). */
export function tls_half_set_version(h: usize, proto: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return halfSetProtocol(h, proto);
}

/** legacy_record_version written on unprotected records before a version is set (0x0301 for an initial ClientHello). */
export function tls_half_set_record_version(h: usize, version: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if ((version >>> 8) != 3) return ERR_ARG;
  store<u32>(h + H_RECVER, version);
  return OK;
}

/** Raw keys: proto 0x0304 with a 12-byte IV, or 0x0303 with a 4-byte salt; aead 1 = AES-128-GCM, 2 = AES-256-GCM. */
export function tls_half_set_key(h: usize, proto: u32, aead: u32, key: usize, keyLen: usize, iv: usize, ivLen: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(key, keyLen) || !inArena(iv, ivLen)) return ERR_BOUNDS;
  return halfSetKey(h, proto, aead, key, keyLen, iv, ivLen);
}

/** TLS 1.3: derives key and IV from a traffic secret (RFC 8446 §7.3) and keeps the secret for KeyUpdate. */
export function tls13_half_install(h: usize, aead: u32, alg: u32, secret: usize, secretLen: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(secret, secretLen)) return ERR_BOUNDS;
  if (overlaps(secret, secretLen, h, HALF_CTX_SIZE)) return ERR_ARG;
  return halfInstall13(h, aead, alg, secret, secretLen, WORK + W_S0);
}

/** TLS 1.3 KeyUpdate of this direction (RFC 8446 §7.2): next traffic secret, new key and IV, sequence 0. */
export function tls13_half_key_update(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  const err = load<i32>(h + H_ERROR);
  if (err != 0) return err;
  return halfKeyUpdate(h, WORK + W_S0);
}

/** TLS 1.2: installs side's (0 client, 1 server) write key and salt from the master secret's key block. */
export function tls12_half_install(h: usize, aead: u32, alg: u32, master: usize, masterLen: usize, clientRandom: usize, serverRandom: usize, side: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(master, masterLen) || !inArena(clientRandom, RANDOM_LEN) || !inArena(serverRandom, RANDOM_LEN)) return ERR_BOUNDS;
  return tls12HalfInstall(h, aead, alg, master, masterLen, clientRandom, serverRandom, side);
}

/** record_size_limit (RFC 8449) of this direction: 64..65535, clamped to the protocol maximum; 0 = none. */
export function tls_half_set_record_size_limit(h: usize, limit: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return halfSetRecordSizeLimit(h, limit);
}

/** TLS 1.3 send padding: each TLSInnerPlaintext is padded with zeros to a multiple of block (0 = none). */
export function tls_half_set_padding(h: usize, block: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (block > 16384) return ERR_ARG;
  store<u32>(h + H_PAD, block);
  return OK;
}

/** Whether an unprotected change_cipher_spec {0x01} is dropped (1) or refused (0) by a TLS 1.3 read half (RFC 8446 §5). */
export function tls_half_set_ccs_allowed(h: usize, on: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (on > 1) return ERR_ARG;
  const f = load<u32>(h + H_FLAGS);
  store<u32>(h + H_FLAGS, on != 0 ? f | F_CCS_OK : f & ~F_CCS_OK);
  return OK;
}

/** AEAD usage limits in records per key (RFC 8446 §5.5): soft raises "key update due", hard stops sealing. 0 = none. */
export function tls_half_set_usage_limits(h: usize, soft: u32, hard: u32): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (hard != 0 && soft > hard) return ERR_ARG;
  store<u32>(h + H_SOFT, soft);
  store<u32>(h + H_HARD, hard);
  return OK;
}

/** The sticky first error of this direction (0 when none). */
export function tls_half_error(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return load<i32>(h + H_ERROR);
}

/** The alert description attached to the sticky error (received or to be sent), 255 when none. */
export function tls_half_alert(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return <i32>load<u32>(h + H_ALERT);
}

/** Content type of the last record opened (20..23). */
export function tls_half_last_type(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return <i32>load<u32>(h + H_LASTTYPE);
}

/** Flags: 1 closed, 2 change_cipher_spec allowed, 4 sequence exhausted, 8 key update due. */
export function tls_half_flags(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return <i32>load<u32>(h + H_FLAGS);
}

/** The next sequence number (u64; -1 as ERR_BOUNDS/ERR_STATE are impossible values in practice). */
export function tls_half_seq(h: usize): i64 {
  const c = halfOk(h);
  if (c != OK) return <i64>c;
  return <i64>load<u64>(h + H_SEQ);
}

/** 0 (not negotiated), 0x0303 or 0x0304. */
export function tls_half_version(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return <i32>load<u32>(h + H_PROTO);
}

/** The largest content one record of this (write) half carries. */
export function tls_half_max_fragment(h: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  return <i32>maxFragment(h);
}

// ---------------------------------------------------------------- records

/** Bytes tls_record_seal will write for len bytes of content of this type. */
export function tls_record_sealed_size(h: usize, type: u32, len: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA) return ERR_ARG;
  const n = sealedSize(h, type, len);
  return n > 0x7fffffff ? ERR_ARG : <i32>n;
}

/** Seals len bytes of content (type 20, 22 or 23; alerts via tls_alert_seal) into one or more records at out. */
export function tls_record_seal(h: usize, type: u32, src: usize, len: usize, out: usize, cap: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!okRange(src, len) || !inArena(out, cap)) return ERR_BOUNDS;
  if ((len != 0 && overlaps(src, len, out, cap)) || overlaps(out, cap, h, HALF_CTX_SIZE)) return ERR_ARG;
  if (type == 21) return ERR_ARG;
  return sealRecords(h, type, src, len, out, cap);
}

/** Opens one complete record (header + body) into out; the content type is tls_half_last_type(). */
export function tls_record_open(h: usize, rec: usize, recLen: usize, out: usize, cap: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(rec, recLen) || !inArena(out, cap)) return ERR_BOUNDS;
  if (overlaps(rec, recLen, out, cap) || overlaps(out, cap, h, HALF_CTX_SIZE)) return ERR_ARG;
  return openRecord(h, rec, recLen, out, cap);
}

/** Seals an alert (level 1 warning / 2 fatal, RFC 8446 §6 description); closes the direction after close_notify or an error alert. */
export function tls_alert_seal(h: usize, level: u32, desc: u32, out: usize, cap: usize): i32 {
  const c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(out, cap)) return ERR_BOUNDS;
  if (overlaps(out, cap, h, HALF_CTX_SIZE)) return ERR_ARG;
  if (load<u32>(h + H_DIR) != DIR_WRITE) return ERR_STATE;
  return sealAlert(h, level, desc, out, cap);
}

// ---------------------------------------------------------------- reassembly

export function tls_reasm_ctx_size(): usize {
  return REASM_CTX_SIZE;
}

export function tls_reasm_init(r: usize): i32 {
  if (!inArena(r, REASM_CTX_SIZE)) return ERR_BOUNDS;
  reasmInit(r);
  return OK;
}

export function tls_reasm_close(r: usize): i32 {
  if (!inArena(r, REASM_CTX_SIZE)) return ERR_BOUNDS;
  wipe(r, REASM_CTX_SIZE);
  return OK;
}

@inline function reasmOk(r: usize): i32 {
  if (!inArena(r, REASM_CTX_SIZE)) return ERR_BOUNDS;
  if (!isReasm(r)) return ERR_STATE;
  return OK;
}

/** Bytes wanted next (rest of header, then rest of body); 0 when a complete record waits to be opened. */
export function tls_reasm_want(r: usize): i32 {
  const c = reasmOk(r);
  if (c != OK) return c;
  return <i32>reasmWant(r);
}

/** Where the host may write up to tls_reasm_want() bytes before tls_reasm_commit(). */
export function tls_reasm_write_ptr(r: usize): i32 {
  const c = reasmOk(r);
  if (c != OK) return c;
  return <i32>reasmWritePtr(r);
}

/** Accounts for n bytes written at tls_reasm_write_ptr(); checks a completed header against read half h. */
export function tls_reasm_commit(r: usize, h: usize, n: u32): i32 {
  let c = reasmOk(r);
  if (c != OK) return c;
  c = halfOk(h);
  if (c != OK) return c;
  return reasmCommit(r, h, n);
}

/** Copies from src until the current record is complete; returns bytes consumed (0 when a record waits). */
export function tls_reasm_feed(r: usize, h: usize, src: usize, len: usize): i32 {
  let c = reasmOk(r);
  if (c != OK) return c;
  c = halfOk(h);
  if (c != OK) return c;
  if (!okRange(src, len)) return ERR_BOUNDS;
  if (len != 0 && overlaps(src, len, r, REASM_CTX_SIZE)) return ERR_ARG;
  return reasmFeed(r, h, src, len);
}

/** Length of the complete buffered record, 0 when none. */
export function tls_reasm_ready(r: usize): i32 {
  const c = reasmOk(r);
  if (c != OK) return c;
  return <i32>reasmReady(r);
}

/** Bytes of an incomplete record buffered (0 at a record boundary). */
export function tls_reasm_pending(r: usize): i32 {
  const c = reasmOk(r);
  if (c != OK) return c;
  return <i32>reasmPending(r);
}

/** Opens the buffered record with read half h into out; see tls_record_open. */
export function tls_reasm_open(r: usize, h: usize, out: usize, cap: usize): i32 {
  let c = reasmOk(r);
  if (c != OK) return c;
  c = halfOk(h);
  if (c != OK) return c;
  if (!inArena(out, cap)) return ERR_BOUNDS;
  if (overlaps(out, cap, r, REASM_CTX_SIZE) || overlaps(out, cap, h, HALF_CTX_SIZE)) return ERR_ARG;
  return reasmOpen(r, h, out, cap);
}

// ---------------------------------------------------------------- transcript

export function tls_transcript_ctx_size(): usize {
  return TRANSCRIPT_CTX_SIZE;
}

/** alg 0 runs SHA-256 and SHA-384 until tls_transcript_select(); 2 = SHA-256, 3 = SHA-384. */
export function tls_transcript_init(t: usize, alg: u32): i32 {
  if (!inArena(t, TRANSCRIPT_CTX_SIZE)) return ERR_BOUNDS;
  return transcriptInit(t, alg);
}

@inline function transcriptOk(t: usize): i32 {
  if (!inArena(t, TRANSCRIPT_CTX_SIZE)) return ERR_BOUNDS;
  if (!isTranscript(t)) return ERR_STATE;
  return OK;
}

export function tls_transcript_select(t: usize, alg: u32): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  return transcriptSelect(t, alg);
}

export function tls_transcript_update(t: usize, p: usize, n: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  if (!okRange(p, n)) return ERR_BOUNDS;
  transcriptUpdate(t, p, n);
  return OK;
}

/** Transcript-Hash so far (the hash keeps running); returns Hash.length. */
export function tls_transcript_hash(t: usize, alg: u32, out: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (!inArena(out, hl)) return ERR_BOUNDS;
  if (overlaps(out, hl, t, TRANSCRIPT_CTX_SIZE)) return ERR_ARG;
  return transcriptHash(t, alg, out);
}

/** Replaces the hashed ClientHello1 by message_hash(Hash(ClientHello1)) after a HelloRetryRequest (RFC 8446 §4.4.1). */
export function tls_transcript_hello_retry(t: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  return transcriptHelloRetry(t, WORK + W_S0);
}

export function tls_transcript_close(t: usize): i32 {
  if (!inArena(t, TRANSCRIPT_CTX_SIZE)) return ERR_BOUNDS;
  wipe(t, TRANSCRIPT_CTX_SIZE);
  return OK;
}

// ---------------------------------------------------------------- TLS 1.3 key schedule

export function tls13_ks_ctx_size(): usize {
  return KS13_CTX_SIZE;
}

/** Early Secret from a PSK (pskLen 0: no PSK). alg 2 = SHA-256, 3 = SHA-384. */
export function tls13_ks_init(ks: usize, alg: u32, psk: usize, pskLen: usize): i32 {
  if (!inArena(ks, KS13_CTX_SIZE)) return ERR_BOUNDS;
  if (!okRange(psk, pskLen)) return ERR_BOUNDS;
  if (pskLen != 0 && overlaps(psk, pskLen, ks, KS13_CTX_SIZE)) return ERR_ARG;
  return ks13Init(ks, alg, psk, pskLen);
}

@inline function ksOk(ks: usize): i32 {
  if (!inArena(ks, KS13_CTX_SIZE)) return ERR_BOUNDS;
  if (!isKs13(ks)) return ERR_STATE;
  return OK;
}

/** Handshake Secret from the (EC)DHE shared secret. */
export function tls13_ks_handshake(ks: usize, shared: usize, sharedLen: usize): i32 {
  const c = ksOk(ks);
  if (c != OK) return c;
  if (!inArena(shared, sharedLen)) return ERR_BOUNDS;
  return ks13Handshake(ks, shared, sharedLen);
}

export function tls13_ks_master(ks: usize): i32 {
  const c = ksOk(ks);
  if (c != OK) return c;
  return ks13Master(ks);
}

/** Derive-Secret(stage secret, label id, transcript t (0 = empty)) -> out; returns Hash.length. */
export function tls13_ks_derive(ks: usize, label: u32, t: usize, out: usize): i32 {
  let c = ksOk(ks);
  if (c != OK) return c;
  if (t != 0) {
    c = transcriptOk(t);
    if (c != OK) return c;
  }
  const hl = <usize>hashLen(ks13Alg(ks));
  if (!inArena(out, hl)) return ERR_BOUNDS;
  if (overlaps(out, hl, ks, KS13_CTX_SIZE) || (t != 0 && overlaps(out, hl, t, TRANSCRIPT_CTX_SIZE))) return ERR_ARG;
  return ks13Derive(ks, label, t, out);
}

export function tls13_ks_stage(ks: usize): i32 {
  const c = ksOk(ks);
  if (c != OK) return c;
  return <i32>ks13Stage(ks);
}

export function tls13_ks_close(ks: usize): i32 {
  if (!inArena(ks, KS13_CTX_SIZE)) return ERR_BOUNDS;
  wipe(ks, KS13_CTX_SIZE);
  return OK;
}

/** Finished verify_data for a sender whose handshake traffic secret is base (RFC 8446 §4.4.4). */
export function tls13_finished(alg: u32, base: usize, baseLen: usize, t: usize, out: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (!inArena(base, baseLen) || !inArena(out, hl)) return ERR_BOUNDS;
  return tls13Finished(alg, base, baseLen, t, out);
}

/** 0 when data is the expected verify_data, ERR_TLS_DECRYPT_ERROR otherwise (constant-time compare). */
export function tls13_finished_verify(alg: u32, base: usize, baseLen: usize, t: usize, data: usize, dataLen: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  if (!inArena(base, baseLen) || !inArena(data, dataLen)) return ERR_BOUNDS;
  return tls13FinishedVerify(alg, base, baseLen, t, data, dataLen);
}

/** TLS-Exporter (RFC 8446 §7.5) from the exporter master secret. */
export function tls13_exporter(alg: u32, secret: usize, secretLen: usize, label: usize, labelLen: usize, context: usize, contextLen: usize, out: usize, outLen: usize): i32 {
  if (!inArena(secret, secretLen) || !okRange(label, labelLen) || !okRange(context, contextLen) || !inArena(out, outLen)) return ERR_BOUNDS;
  return tls13Exporter(alg, secret, secretLen, label, labelLen, context, contextLen, out, outLen);
}

/** PSK of a NewSessionTicket (RFC 8446 §4.6.1). */
export function tls13_resumption_psk(alg: u32, secret: usize, secretLen: usize, nonce: usize, nonceLen: usize, out: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (!inArena(secret, secretLen) || !okRange(nonce, nonceLen) || !inArena(out, hl)) return ERR_BOUNDS;
  return tls13ResumptionPsk(alg, secret, secretLen, nonce, nonceLen, out);
}

/** The next application traffic secret ("traffic upd", RFC 8446 §7.2), for key logs and tests. */
export function tls13_next_secret(alg: u32, secret: usize, secretLen: usize, out: usize): i32 {
  const hl = <usize>hashLen(alg);
  if (hl == 0) return ERR_ARG;
  if (!inArena(secret, secretLen) || !inArena(out, hl)) return ERR_BOUNDS;
  return tls13NextSecret(alg, secret, secretLen, out);
}

/** key (keyLen) || iv (12) of a traffic secret (RFC 8446 §7.3), for tests and diagnostics. */
export function tls13_traffic_keys(alg: u32, secret: usize, secretLen: usize, keyLen: usize, out: usize): i32 {
  if (!inArena(secret, secretLen) || !inArena(out, keyLen + 12)) return ERR_BOUNDS;
  return tls13TrafficKeys(alg, secret, secretLen, keyLen, out);
}

// ---------------------------------------------------------------- TLS 1.2 key schedule

/** Extended master secret (RFC 7627) from the pre-master secret and the session hash in t. Writes 48 bytes. */
export function tls12_master_secret_ems(alg: u32, pms: usize, pmsLen: usize, t: usize, out: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  if (!inArena(pms, pmsLen) || !inArena(out, MASTER_SECRET_LEN)) return ERR_BOUNDS;
  return tls12MasterSecretEms(alg, pms, pmsLen, t, out);
}

/** Master secret without EMS (RFC 5246 §8.1). Writes 48 bytes. */
export function tls12_master_secret(alg: u32, pms: usize, pmsLen: usize, clientRandom: usize, serverRandom: usize, out: usize): i32 {
  if (!inArena(pms, pmsLen) || !inArena(clientRandom, RANDOM_LEN) || !inArena(serverRandom, RANDOM_LEN) || !inArena(out, MASTER_SECRET_LEN)) return ERR_BOUNDS;
  return tls12MasterSecret(alg, pms, pmsLen, clientRandom, serverRandom, out);
}

/** key_block (RFC 5246 §6.3) of outLen <= 1024 bytes, for tests and diagnostics (tls12_half_install keeps it inside). */
export function tls12_key_block(alg: u32, master: usize, masterLen: usize, clientRandom: usize, serverRandom: usize, out: usize, outLen: usize): i32 {
  if (!inArena(master, masterLen) || !inArena(clientRandom, RANDOM_LEN) || !inArena(serverRandom, RANDOM_LEN) || !inArena(out, outLen)) return ERR_BOUNDS;
  return tls12KeyBlock(alg, master, masterLen, clientRandom, serverRandom, out, outLen);
}

/** Finished verify_data (12 bytes) of sender 0 (client) or 1 (server) over the transcript t. */
export function tls12_finished(alg: u32, master: usize, masterLen: usize, sender: u32, t: usize, out: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  if (!inArena(master, masterLen) || !inArena(out, VERIFY_DATA_LEN)) return ERR_BOUNDS;
  return tls12Finished(alg, master, masterLen, sender, t, out);
}

export function tls12_finished_verify(alg: u32, master: usize, masterLen: usize, sender: u32, t: usize, data: usize, dataLen: usize): i32 {
  const c = transcriptOk(t);
  if (c != OK) return c;
  if (!inArena(master, masterLen) || !inArena(data, dataLen)) return ERR_BOUNDS;
  return tls12FinishedVerify(alg, master, masterLen, sender, t, data, dataLen);
}

/** RFC 5705 exporter for TLS 1.2 (useContext 0: no context at all). */
export function tls12_exporter(alg: u32, master: usize, masterLen: usize, label: usize, labelLen: usize, clientRandom: usize, serverRandom: usize, context: usize, contextLen: usize, useContext: u32, out: usize, outLen: usize): i32 {
  if (!inArena(master, masterLen) || !inArena(label, labelLen) || !inArena(clientRandom, RANDOM_LEN) || !inArena(serverRandom, RANDOM_LEN)) return ERR_BOUNDS;
  if (!okRange(context, contextLen) || !inArena(out, outLen)) return ERR_BOUNDS;
  return tls12Exporter(alg, master, masterLen, label, labelLen, clientRandom, serverRandom, context, contextLen, useContext, out, outLen);
}
