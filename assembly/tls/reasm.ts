// Read-side reassembly: TLS runs over a byte stream, so a record may arrive split across many reads
// and one read may carry many records. The reassembly context buffers exactly one record at a time:
// it takes bytes until the current record is complete, then refuses more until that record has been
// opened. Its header is checked against the read half as soon as its 5 bytes are in, so a hostile
// length is refused before any body is buffered.
//
// Caller-owned context of tls_reasm_ctx_size() bytes, no pointers; tls_reasm_close() wipes it.
import { OK, ERR_ARG, ERR_STATE, ERR_CAPACITY } from "../abi/status";
import { wipe } from "../util/ct";
import { HEADER_LEN, MAX_CIPHERTEXT_TLS12 } from "./constants";
import { H_DIR, H_ERROR, DIR_READ, isHalf } from "./half";
import { checkHeader, headerLength, openRecord } from "./record";

const R_MAGIC: usize = 0; // u32 "TLSR"
const R_FILL: usize = 4; //  u32 bytes of the current record buffered
const R_TOTAL: usize = 8; // u32 5 + length once the header is in, else 0
export const R_DATA: usize = 16; // the record: header then body
/** The largest record any supported protocol accepts: header + 2^14 + 2048 (RFC 5246 §6.2.3). */
export const REASM_CAPACITY: usize = <usize>HEADER_LEN + <usize>MAX_CIPHERTEXT_TLS12;
export const REASM_CTX_SIZE: usize = (R_DATA + REASM_CAPACITY + 15) & ~(<usize>15);
const REASM_MAGIC: u32 = 0x52534c54; // "TLSR"

/**
 * A reassembly context whose counts are consistent: no total until the header is in (fewer bytes
 * than a header buffered), then a total within the capacity and at most that many bytes buffered.
 * The context is caller-owned arena memory (the host even writes records into it): every entry
 * point checks this before it copies or opens by these counts.
 */
export function isReasm(r: usize): bool {
  if (load<u32>(r + R_MAGIC) != REASM_MAGIC) return false;
  const fill = load<u32>(r + R_FILL);
  const total = load<u32>(r + R_TOTAL);
  if (total == 0) return fill < HEADER_LEN;
  return total >= HEADER_LEN && total <= <u32>REASM_CAPACITY && fill >= HEADER_LEN && fill <= total;
}

export function reasmInit(r: usize): void {
  wipe(r, REASM_CTX_SIZE);
  store<u32>(r + R_MAGIC, REASM_MAGIC);
}

function reset(r: usize): void {
  const used = <usize>load<u32>(r + R_FILL);
  wipe(r + R_DATA, used);
  store<u32>(r + R_FILL, 0);
  store<u32>(r + R_TOTAL, 0);
}

/** Bytes the context wants next: the rest of the header, then the rest of the body; 0 when a record is complete. */
export function reasmWant(r: usize): u32 {
  const fill = load<u32>(r + R_FILL);
  if (fill < HEADER_LEN) return HEADER_LEN - fill;
  return load<u32>(r + R_TOTAL) - fill;
}

/** Length of the complete buffered record (header included), or 0 when none is complete. */
export function reasmReady(r: usize): u32 {
  const total = load<u32>(r + R_TOTAL);
  return total != 0 && load<u32>(r + R_FILL) == total ? total : 0;
}

/** Where the next byte goes (for hosts that copy straight into the context, then commit). */
export function reasmWritePtr(r: usize): usize {
  return r + R_DATA + <usize>load<u32>(r + R_FILL);
}

@inline function readHalfOk(h: usize): bool {
  return isHalf(h) && load<u32>(h + H_DIR) == DIR_READ;
}

/**
 * Accounts for n bytes already written at reasmWritePtr(); n must not exceed reasmWant(). When the
 * header becomes complete it is checked against the read half h; a bad header fails h (sticky),
 * discards the buffer and returns the alert status.
 */
export function reasmCommit(r: usize, h: usize, n: u32): i32 {
  if (!readHalfOk(h)) return ERR_STATE;
  const err = load<i32>(h + H_ERROR);
  if (err != 0) {
    reset(r);
    return err;
  }
  if (n > reasmWant(r)) return ERR_ARG;
  const fill = load<u32>(r + R_FILL) + n;
  store<u32>(r + R_FILL, fill);
  if (fill == HEADER_LEN && load<u32>(r + R_TOTAL) == 0) {
    const st = checkHeader(h, r + R_DATA);
    if (st != OK) {
      reset(r);
      return st;
    }
    store<u32>(r + R_TOTAL, HEADER_LEN + headerLength(r + R_DATA));
  }
  return OK;
}

/**
 * Copies bytes from src into the context until the current record is complete or src is used up.
 * Returns the number of bytes consumed (0 when a complete record is waiting to be opened), or the
 * alert status of a bad header.
 */
export function reasmFeed(r: usize, h: usize, src: usize, len: usize): i32 {
  if (!readHalfOk(h)) return ERR_STATE;
  let used: usize = 0;
  while (used < len) {
    const want = <usize>reasmWant(r);
    if (want == 0) break;
    const n = len - used < want ? len - used : want;
    memory.copy(reasmWritePtr(r), src + used, n);
    const st = reasmCommit(r, h, <u32>n);
    if (st != OK) return st;
    used += n;
  }
  return <i32>used;
}

/**
 * Opens the complete buffered record into out (see openRecord) and empties the buffer. When out is
 * too small (ERR_CAPACITY) the record stays buffered so the call can be repeated.
 */
export function reasmOpen(r: usize, h: usize, out: usize, cap: usize): i32 {
  const total = reasmReady(r);
  if (total == 0) return ERR_STATE;
  const st = openRecord(h, r + R_DATA, <usize>total, out, cap);
  if (st == ERR_CAPACITY || st == ERR_STATE) return st;
  reset(r);
  return st;
}

/** Bytes of a partial record currently buffered (0 at a record boundary): lets the host tell a
 *  clean end of stream from a truncated record. */
export function reasmPending(r: usize): u32 {
  return load<u32>(r + R_FILL);
}
