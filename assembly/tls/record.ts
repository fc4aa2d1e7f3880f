// Record framing and protection: the 5-byte header (RFC 8446 §5.1, RFC 5246 §6.2.1), fragmentation
// of outgoing data, and the three ways a record is protected:
//   - unprotected (before keys): TLSPlaintext;
//   - TLS 1.3 (RFC 8446 §5.2-5.4): AEAD over TLSInnerPlaintext = content || type || zeros,
//     nonce = iv XOR seq, additional data = the record header;
//   - TLS 1.2 AEAD (RFC 5246 §6.2.3.3, RFC 5288 §3): explicit 8-byte nonce (we send the sequence
//     number), nonce = salt || explicit, additional data = seq || type || version || length.
// Every receive-side failure is an alert status that fails the half connection for good (sticky);
// argument and capacity errors change nothing and can be retried.
import { OK, ERR_ARG, ERR_CAPACITY, ERR_STATE } from "../abi/status";
import {
  ERR_TLS_RECORD_OVERFLOW, ERR_TLS_BAD_RECORD_MAC, ERR_TLS_UNEXPECTED_MESSAGE, ERR_TLS_DECODE_ERROR,
  ERR_TLS_PROTOCOL_VERSION, ERR_TLS_ALERT_RECEIVED, ERR_TLS_KEY_LIMIT,
} from "../abi/status";
import { wipe } from "../util/ct";
import {
  CT_CHANGE_CIPHER_SPEC, CT_ALERT, CT_HANDSHAKE, CT_APPLICATION_DATA, PROTO_NONE, PROTO_TLS12, PROTO_TLS13,
  RECORD_VERSION_TLS12, AEAD_NONE, AEAD_TAG_LEN, TLS12_SALT_LEN, TLS12_EXPLICIT_NONCE_LEN, HEADER_LEN,
  MAX_PLAINTEXT, EXPANSION_TLS12, ALERT_LEVEL_WARNING, ALERT_LEVEL_FATAL, ALERT_CLOSE_NOTIFY,
  ALERT_UNEXPECTED_MESSAGE, ALERT_BAD_RECORD_MAC, ALERT_RECORD_OVERFLOW, ALERT_DECODE_ERROR,
  ALERT_PROTOCOL_VERSION, ALERT_USER_CANCELED, LIMIT_RESERVE, MAX_USELESS_RECORDS,
} from "./constants";
import {
  H_DIR, H_ERROR, H_PROTO, H_RECVER, H_AEAD, H_SEQ, H_SOFT, H_HARD, H_FLAGS, H_PAD, H_LASTTYPE, H_USELESS,
  H_IV, H_NONCE, H_AAD, H_AEADCTX, H_ALERTBUF, DIR_READ, DIR_WRITE, F_CCS_OK, F_KEY_UPDATE_DUE,
  isHalf, fail, maxInner, maxFragment, seqCanTake, seqAdvance, failExhausted, closeHalf,
} from "./half";
import { aeadSeal, aeadOpen } from "./crypto";

// ---- header ----

@inline function be16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1);
}

@inline function putBe16(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >>> 8));
  store<u8>(p + 1, <u8>v);
}

@inline function putHeader(dst: usize, type: u32, version: u32, len: u32): void {
  store<u8>(dst, <u8>type);
  putBe16(dst + 1, version);
  putBe16(dst + 3, len);
}

/** TLSCiphertext.length of a record starting at p. */
@inline export function headerLength(p: usize): u32 {
  return be16(p + 3);
}

function failAlert(h: usize, status: i32): i32 {
  let alert: u32 = ALERT_UNEXPECTED_MESSAGE;
  if (status == ERR_TLS_RECORD_OVERFLOW) alert = ALERT_RECORD_OVERFLOW;
  else if (status == ERR_TLS_BAD_RECORD_MAC) alert = ALERT_BAD_RECORD_MAC;
  else if (status == ERR_TLS_DECODE_ERROR) alert = ALERT_DECODE_ERROR;
  else if (status == ERR_TLS_PROTOCOL_VERSION) alert = ALERT_PROTOCOL_VERSION;
  return fail(h, status, alert);
}

/**
 * Checks a received record header against the read half's state, before any of its body is
 * buffered or decrypted. Returns OK or fails the half with the alert status:
 *  - unknown content type -> unexpected_message (RFC 8446 §5);
 *  - a version whose major byte is not 3 -> protocol_version; in TLS 1.2 anything but 0x0303 ->
 *    protocol_version (TLS 1.3 ignores legacy_record_version otherwise, RFC 8446 §5.1);
 *  - a length above the limit -> record_overflow: 2^14 unprotected (RFC 8446 §5.1), inner limit + 255
 *    for TLS 1.3 (2^14 + 256 by default, RFC 8446 §5.2), plaintext limit + 2048 for TLS 1.2 (RFC 5246 §6.2.3);
 *  - TLS 1.3 protected: an outer type other than application_data (or a compatibility
 *    change_cipher_spec) -> unexpected_message.
 */
export function checkHeader(h: usize, hdr: usize): i32 {
  const type = <u32>load<u8>(hdr);
  const version = be16(hdr + 1);
  const len = be16(hdr + 3);
  if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA) return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
  if ((version >>> 8) != 3) return failAlert(h, ERR_TLS_PROTOCOL_VERSION);
  const proto = load<u32>(h + H_PROTO);
  if (proto == PROTO_TLS12 && version != RECORD_VERSION_TLS12) return failAlert(h, ERR_TLS_PROTOCOL_VERSION);
  const aead = load<u32>(h + H_AEAD);
  let max: u32;
  if (aead == AEAD_NONE || (proto == PROTO_TLS13 && type == CT_CHANGE_CIPHER_SPEC)) max = MAX_PLAINTEXT;
  else if (proto == PROTO_TLS13) max = maxInner(h) + 255;
  else max = maxInner(h) + EXPANSION_TLS12;
  if (len > max) return failAlert(h, ERR_TLS_RECORD_OVERFLOW);
  if (proto == PROTO_TLS13 && aead != AEAD_NONE && type != CT_APPLICATION_DATA && type != CT_CHANGE_CIPHER_SPEC) {
    return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
  }
  return OK;
}

// ---- nonces ----

/** TLS 1.3 per-record nonce (RFC 8446 §5.3): the 64-bit sequence number, big-endian, left-padded
 *  to 12 bytes and XORed with the static IV. */
@inline function nonce13(h: usize): usize {
  const n = h + H_NONCE;
  const seq = bswap<u64>(load<u64>(h + H_SEQ));
  store<u32>(n, load<u32>(h + H_IV));
  store<u64>(n + 4, load<u64>(h + H_IV + 4) ^ seq);
  return n;
}

/** TLS 1.2 AES-GCM nonce (RFC 5288 §3): 4-byte salt || 8-byte explicit nonce. */
@inline function nonce12(h: usize, explicit: usize): usize {
  const n = h + H_NONCE;
  store<u32>(n, load<u32>(h + H_IV));
  store<u64>(n + 4, load<u64>(explicit));
  return n;
}

/** TLS 1.2 additional data (RFC 5246 §6.2.3.3): seq_num(8) || type(1) || version(2) || length(2). */
@inline function aad12(h: usize, type: u32, version: u32, len: u32): usize {
  const a = h + H_AAD;
  store<u64>(a, bswap<u64>(load<u64>(h + H_SEQ)));
  putHeader(a + 8, type, version, len);
  return a;
}

// ---- open ----

/**
 * Applies the rules every delivered record obeys, whatever its protection. `out` holds `len` bytes
 * of content of type `type`. Returns the length to deliver (0 for a dropped record) or fails the half
 * (and wipes out[0..len)).
 */
function deliver(h: usize, type: u32, out: usize, len: u32): i32 {
  const proto = load<u32>(h + H_PROTO);
  let st: i32 = OK;
  if (type == CT_HANDSHAKE) {
    // RFC 8446 §5.4: handshake and alert records never have zero-length content.
    if (len == 0) st = ERR_TLS_UNEXPECTED_MESSAGE;
  } else if (type == CT_ALERT) {
    st = len == 0 ? ERR_TLS_UNEXPECTED_MESSAGE : receiveAlert(h, out, len);
  } else if (type == CT_CHANGE_CIPHER_SPEC) {
    // Only TLS 1.2 delivers change_cipher_spec (TLS 1.3's is handled before decryption):
    // the message is the single byte 1 (RFC 5246 §7.1).
    if (proto == PROTO_TLS13) st = ERR_TLS_UNEXPECTED_MESSAGE;
    else if (len != 1 || load<u8>(out) != 1) st = ERR_TLS_DECODE_ERROR;
  } else if (type == CT_APPLICATION_DATA) {
    if (load<u32>(h + H_AEAD) == AEAD_NONE) st = ERR_TLS_UNEXPECTED_MESSAGE;
  } else {
    st = ERR_TLS_UNEXPECTED_MESSAGE;
  }
  if (st == OK) {
    if (len == 0) {
      const useless = load<u32>(h + H_USELESS) + 1;
      store<u32>(h + H_USELESS, useless);
      if (useless > MAX_USELESS_RECORDS) st = ERR_TLS_UNEXPECTED_MESSAGE;
    } else {
      store<u32>(h + H_USELESS, 0);
    }
  }
  if (st != OK) {
    wipe(out, len);
    if (st == ERR_TLS_ALERT_RECEIVED) return st; // already recorded by receiveAlert
    return failAlert(h, st);
  }
  store<u32>(h + H_LASTTYPE, type);
  return <i32>len;
}

/**
 * A received alert (RFC 8446 §6): exactly two bytes, level 1 or 2 (else decode_error). close_notify
 * closes the read direction; a warning (TLS 1.2) or user_canceled (1.3) passes through; anything else
 * is an error alert: the half records ERR_TLS_ALERT_RECEIVED with the description. In TLS 1.3 every
 * alert but close_notify and user_canceled is an error whatever its level (RFC 8446 §6).
 */
function receiveAlert(h: usize, p: usize, len: u32): i32 {
  if (len != 2) return ERR_TLS_DECODE_ERROR;
  const level = <u32>load<u8>(p);
  const desc = <u32>load<u8>(p + 1);
  if (level != ALERT_LEVEL_WARNING && level != ALERT_LEVEL_FATAL) return ERR_TLS_DECODE_ERROR;
  if (desc == ALERT_CLOSE_NOTIFY) {
    closeHalf(h, ALERT_CLOSE_NOTIFY);
    return OK;
  }
  const warning = load<u32>(h + H_PROTO) == PROTO_TLS13 ? desc == ALERT_USER_CANCELED : level == ALERT_LEVEL_WARNING;
  if (warning) return OK;
  fail(h, ERR_TLS_ALERT_RECEIVED, desc);
  return ERR_TLS_ALERT_RECEIVED;
}

/** TLS 1.3 change_cipher_spec (RFC 8446 §5): dropped when allowed and exactly {0x01}, else unexpected_message. */
function dropCompatCcs(h: usize, body: usize, len: u32): i32 {
  if ((load<u32>(h + H_FLAGS) & F_CCS_OK) == 0 || len != 1 || load<u8>(body) != 1) {
    return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
  }
  const useless = load<u32>(h + H_USELESS) + 1;
  store<u32>(h + H_USELESS, useless);
  if (useless > MAX_USELESS_RECORDS) return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
  store<u32>(h + H_LASTTYPE, CT_CHANGE_CIPHER_SPEC);
  return 0;
}

/**
 * Opens one complete record at rec (header + body, recLen = 5 + header length) into out.
 * Returns the content length (0 also for a dropped compatibility change_cipher_spec), with the
 * content type readable by tls_half_last_type(); or a negative status.
 */
export function openRecord(h: usize, rec: usize, recLen: usize, out: usize, cap: usize): i32 {
  if (!isHalf(h) || load<u32>(h + H_DIR) != DIR_READ) return ERR_STATE;
  const err = load<i32>(h + H_ERROR);
  if (err != 0) return err;
  if (recLen < <usize>HEADER_LEN || recLen != <usize>HEADER_LEN + <usize>headerLength(rec)) return ERR_ARG;
  let st = checkHeader(h, rec);
  if (st != OK) return st;
  const type = <u32>load<u8>(rec);
  const len = headerLength(rec);
  const body = rec + HEADER_LEN;
  const proto = load<u32>(h + H_PROTO);
  const aead = load<u32>(h + H_AEAD);

  if (type == CT_CHANGE_CIPHER_SPEC && (proto == PROTO_TLS13 || (proto == PROTO_NONE && (load<u32>(h + H_FLAGS) & F_CCS_OK) != 0))) {
    return dropCompatCcs(h, body, len);
  }
  if (type == CT_CHANGE_CIPHER_SPEC && proto == PROTO_NONE) return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);

  if (aead == AEAD_NONE) {
    if (type == CT_APPLICATION_DATA) return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
    if (<usize>len > cap) return ERR_CAPACITY;
    memory.copy(out, body, len);
    return deliver(h, type, out, len);
  }

  if (proto == PROTO_TLS13) {
    if (len < AEAD_TAG_LEN) return failAlert(h, ERR_TLS_BAD_RECORD_MAC);
    const inner = len - AEAD_TAG_LEN;
    if (inner > maxInner(h)) return failAlert(h, ERR_TLS_RECORD_OVERFLOW);
    if (<usize>inner > cap) return ERR_CAPACITY;
    if (!seqCanTake(h, 1)) return failExhausted(h);
    st = aeadOpen(h + H_AEADCTX, nonce13(h), rec, HEADER_LEN, body, out, inner, body + inner);
    if (st != OK) return failAlert(h, ERR_TLS_BAD_RECORD_MAC);
    seqAdvance(h, 1);
    // RFC 8446 §5.4: scan from the end for the first non-zero octet, which is the content type.
    // The time this takes depends on the amount of padding the peer chose; the padding length is
    // the peer's traffic-shaping choice, not a secret of ours, and the scan stays inside the
    // cleartext the AEAD returned.
    let i = inner;
    while (i >= 8 && load<u64>(out + i - 8) == 0) i -= 8;
    while (i > 0 && load<u8>(out + i - 1) == 0) i--;
    if (i == 0) {
      wipe(out, inner);
      return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
    }
    const innerType = <u32>load<u8>(out + i - 1);
    wipe(out + i - 1, inner - i + 1); // the type byte and padding are not content
    if (innerType == CT_CHANGE_CIPHER_SPEC) {
      // RFC 8446 §5: a protected change_cipher_spec is unexpected_message.
      wipe(out, i - 1);
      return failAlert(h, ERR_TLS_UNEXPECTED_MESSAGE);
    }
    return deliver(h, innerType, out, i - 1);
  }

  // TLS 1.2 GenericAEADCipher
  const overhead = TLS12_EXPLICIT_NONCE_LEN + AEAD_TAG_LEN;
  if (len < overhead) return failAlert(h, ERR_TLS_BAD_RECORD_MAC);
  const ptLen = len - overhead;
  if (ptLen > maxInner(h)) return failAlert(h, ERR_TLS_RECORD_OVERFLOW);
  if (<usize>ptLen > cap) return ERR_CAPACITY;
  if (!seqCanTake(h, 1)) return failExhausted(h);
  const ct = body + TLS12_EXPLICIT_NONCE_LEN;
  st = aeadOpen(h + H_AEADCTX, nonce12(h, body), aad12(h, type, be16(rec + 1), ptLen), 13, ct, out, ptLen, ct + ptLen);
  if (st != OK) return failAlert(h, ERR_TLS_BAD_RECORD_MAC);
  seqAdvance(h, 1);
  return deliver(h, type, out, ptLen);
}

// ---- seal ----

/** TLSInnerPlaintext length for n content bytes under the padding policy (RFC 8446 §5.4). */
@inline function paddedInner(h: usize, n: u32): u32 {
  let inner = n + 1;
  const pad = load<u32>(h + H_PAD);
  if (pad > 1) {
    const r = inner % pad;
    if (r != 0) inner += pad - r;
    const max = maxInner(h);
    if (inner > max) inner = max;
  }
  return inner;
}

/** Bytes one record carrying n content bytes takes on the wire. */
@inline function recordSize(h: usize, n: u32, protected13: bool, protected12: bool): u64 {
  if (protected13) return <u64>(HEADER_LEN + paddedInner(h, n) + AEAD_TAG_LEN);
  if (protected12) return <u64>(HEADER_LEN + TLS12_EXPLICIT_NONCE_LEN + n + AEAD_TAG_LEN);
  return <u64>(HEADER_LEN + n);
}

/** True when this type is written as a plaintext TLS 1.3 compatibility change_cipher_spec. */
@inline function isCompatCcs(h: usize, type: u32): bool {
  return type == CT_CHANGE_CIPHER_SPEC && load<u32>(h + H_PROTO) == PROTO_TLS13;
}

/**
 * Total bytes tls_record_seal writes for len content bytes of this type: len is cut into records of
 * at most maxFragment() bytes (one empty record when len is 0). u64 so that no length can wrap.
 */
export function sealedSize(h: usize, type: u32, len: usize): u64 {
  if (isCompatCcs(h, type)) return <u64>(HEADER_LEN + 1);
  const prot = load<u32>(h + H_AEAD) != AEAD_NONE;
  const p13 = prot && load<u32>(h + H_PROTO) == PROTO_TLS13;
  const p12 = prot && !p13;
  const frag = <u64>maxFragment(h);
  const full = <u64>len / frag;
  const rest = <u32>(<u64>len % frag);
  let total = full * recordSize(h, <u32>frag, p13, p12);
  if (rest != 0 || len == 0) total += recordSize(h, rest, p13, p12);
  return total;
}

@inline function recordCount(h: usize, type: u32, len: usize): u64 {
  if (isCompatCcs(h, type)) return 1;
  const frag = <u64>maxFragment(h);
  if (len == 0) return 1;
  return (<u64>len + frag - 1) / frag;
}

/** Protects one record of n content bytes at src into dst; returns its size. Keys are installed. */
function sealOne(h: usize, type: u32, src: usize, n: u32, dst: usize): u32 {
  const ctx = h + H_AEADCTX;
  if (load<u32>(h + H_PROTO) == PROTO_TLS13) {
    const inner = paddedInner(h, n);
    putHeader(dst, CT_APPLICATION_DATA, RECORD_VERSION_TLS12, inner + AEAD_TAG_LEN);
    const body = dst + HEADER_LEN;
    memory.copy(body, src, n);
    store<u8>(body + n, <u8>type);
    memory.fill(body + n + 1, 0, inner - n - 1); // RFC 8446 §5.4: padding octets are zero
    aeadSeal(ctx, nonce13(h), dst, HEADER_LEN, body, body, inner, body + inner);
    seqAdvance(h, 1);
    return HEADER_LEN + inner + AEAD_TAG_LEN;
  }
  // TLS 1.2: the explicit nonce is our sequence number (unique per key, as RFC 5288 §3 requires).
  putHeader(dst, type, RECORD_VERSION_TLS12, TLS12_EXPLICIT_NONCE_LEN + n + AEAD_TAG_LEN);
  const explicit = dst + HEADER_LEN;
  store<u64>(explicit, bswap<u64>(load<u64>(h + H_SEQ)));
  const ct = explicit + TLS12_EXPLICIT_NONCE_LEN;
  aeadSeal(ctx, nonce12(h, explicit), aad12(h, type, RECORD_VERSION_TLS12, n), 13, src, ct, n, ct + n);
  seqAdvance(h, 1);
  return HEADER_LEN + TLS12_EXPLICIT_NONCE_LEN + n + AEAD_TAG_LEN;
}

/**
 * Seals len bytes of content of one type into as many records as the fragment limit requires.
 * All-or-nothing: capacity, usage limits and sequence numbers are checked for every record before
 * the first byte is written. Returns the bytes written.
 */
export function sealRecords(h: usize, type: u32, src: usize, len: usize, out: usize, cap: usize): i32 {
  if (!isHalf(h) || load<u32>(h + H_DIR) != DIR_WRITE) return ERR_STATE;
  const err = load<i32>(h + H_ERROR);
  if (err != 0) return err;
  const aead = load<u32>(h + H_AEAD);
  const proto = load<u32>(h + H_PROTO);
  if (type == CT_ALERT && len != 2) return ERR_ARG;
  if (type == CT_HANDSHAKE && len == 0) return ERR_ARG; // RFC 8446 §5.4 / RFC 5246 §6.2.1
  if (type == CT_APPLICATION_DATA && aead == AEAD_NONE) return ERR_STATE; // never in the clear
  if (type == CT_CHANGE_CIPHER_SPEC && (len != 1 || load<u8>(src) != 1)) return ERR_ARG;
  if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA) return ERR_ARG;

  const total = sealedSize(h, type, len);
  if (total > <u64>cap || total > 0x7fffffff) return ERR_CAPACITY;

  // TLS 1.3 compatibility change_cipher_spec: always the unprotected record 14 03 03 00 01 01.
  if (isCompatCcs(h, type) || aead == AEAD_NONE) {
    const version = proto == PROTO_NONE ? load<u32>(h + H_RECVER) : RECORD_VERSION_TLS12;
    if (isCompatCcs(h, type)) {
      putHeader(out, CT_CHANGE_CIPHER_SPEC, RECORD_VERSION_TLS12, 1);
      store<u8>(out + HEADER_LEN, 1);
      return <i32>total;
    }
    const frag = <usize>maxFragment(h);
    let off: usize = 0;
    let o = out;
    do {
      const n = len - off < frag ? len - off : frag;
      putHeader(o, type, version, <u32>n);
      memory.copy(o + HEADER_LEN, src + off, n);
      o += <usize>HEADER_LEN + n;
      off += n;
    } while (off < len);
    return <i32>total;
  }

  const nrec = recordCount(h, type, len);
  const hard = load<u32>(h + H_HARD);
  if (hard != 0) {
    // Application data stops LIMIT_RESERVE records early so that a KeyUpdate or an alert can
    // still be sent under the old key.
    const lim: u64 = type == CT_APPLICATION_DATA ? <u64>(hard > LIMIT_RESERVE ? hard - LIMIT_RESERVE : 0) : <u64>hard;
    const seq = load<u64>(h + H_SEQ);
    if (seq > lim || nrec > lim - seq) return ERR_TLS_KEY_LIMIT;
  }
  if (!seqCanTake(h, nrec)) return failExhausted(h);

  const frag = <usize>maxFragment(h);
  let off: usize = 0;
  let o = out;
  do {
    const n = len - off < frag ? len - off : frag;
    o += sealOne(h, type, src + off, <u32>n, o);
    off += n;
  } while (off < len);

  const soft = load<u32>(h + H_SOFT);
  if (soft != 0 && load<u64>(h + H_SEQ) >= <u64>soft) {
    store<u32>(h + H_FLAGS, load<u32>(h + H_FLAGS) | F_KEY_UPDATE_DUE);
  }
  return <i32>total;
}

/**
 * Seals an alert record (RFC 8446 §6). After close_notify, or after an error alert (TLS 1.3: any
 * alert but user_canceled; TLS 1.2: level fatal), the write direction is closed.
 */
export function sealAlert(h: usize, level: u32, desc: u32, out: usize, cap: usize): i32 {
  if (level != ALERT_LEVEL_WARNING && level != ALERT_LEVEL_FATAL) return ERR_ARG;
  if (desc > 255) return ERR_ARG;
  if (!isHalf(h)) return ERR_STATE;
  store<u8>(h + H_ALERTBUF, <u8>level);
  store<u8>(h + H_ALERTBUF + 1, <u8>desc);
  const r = sealRecords(h, CT_ALERT, h + H_ALERTBUF, 2, out, cap);
  if (r < 0) return r;
  const closing = desc == ALERT_CLOSE_NOTIFY ||
    (load<u32>(h + H_PROTO) == PROTO_TLS13 ? desc != ALERT_USER_CANCELED : level == ALERT_LEVEL_FATAL);
  if (closing) closeHalf(h, desc);
  return r;
}

