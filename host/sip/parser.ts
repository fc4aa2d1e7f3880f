// Strict SIP message parsing and serialization (RFC 3261 §7, §18.3 framing over streams).
//
// Strictness, and the limits (all configurable, see SipLimits):
//  - the header block must be valid UTF-8 without control characters other than HTAB;
//  - start line: `METHOD SP Request-URI SP SIP/2.0` or `SIP/2.0 SP 3DIGIT SP reason`, status 100..699;
//  - header lines `token HCOLON value`; folded continuation lines (leading SP/HTAB) are unfolded;
//  - Content-Length is mandatory on a stream, decimal, at most one distinct value, ≤ maxBodyBytes;
//  - Via, From, To, Call-ID and CSeq are mandatory and must parse; the CSeq method of a request
//    equals its method. Max-Forwards is not required (lenient: RFC 3261 §8.2 does not make the UAS
//    check it), but must be a number when present.
import { SipError } from "./errors.js";
import { SipRequest, SipResponse, canonicalHeaderName, parseCSeq, parseNameAddr, parseVia, type SipMessage } from "./message.js";

export interface SipLimits {
  /** Start line + headers + the blank line, in bytes (default 16384). */
  maxHeaderBytes: number;
  /** Header fields after unfolding (default 100). */
  maxHeaderCount: number;
  /** One header field after unfolding, in bytes (default 4096). */
  maxHeaderLineBytes: number;
  /** Body (Content-Length) in bytes (default 65536). */
  maxBodyBytes: number;
}

export const DEFAULT_SIP_LIMITS: Readonly<SipLimits> = {
  maxHeaderBytes: 16384,
  maxHeaderCount: 100,
  maxHeaderLineBytes: 4096,
  maxBodyBytes: 65536,
};

const METHOD = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const HEADER_NAME = /^[A-Za-z0-9.!%*_+`'~-]+$/;
// Printable ASCII and any non-ASCII (already checked as UTF-8), plus HTAB.
const BAD_CHARS = /[\x00-\x08\x0a-\x1f\x7f]/;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a header block (without the terminating blank line) into a message with no body. */
export function parseHead(headBytes: Uint8Array, limits: SipLimits = DEFAULT_SIP_LIMITS): SipMessage {
  if (headBytes.length > limits.maxHeaderBytes) throw new SipError("ERR_SIP_TOO_LARGE", "header block too large", { status: 513 });
  let head: string;
  try {
    head = utf8.decode(headBytes);
  } catch {
    throw new SipError("ERR_SIP_PARSE", "header block is not UTF-8");
  }
  const lines = head.split("\r\n");
  const start = lines[0]!;
  if (BAD_CHARS.test(start) || start.includes("\t")) throw new SipError("ERR_SIP_PARSE", "control characters in the start line");
  let msg: SipMessage;
  if (start.startsWith("SIP/")) {
    const m = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/.exec(start);
    if (!m) throw new SipError("ERR_SIP_PARSE", `bad status line: ${start.slice(0, 80)}`);
    msg = new SipResponse(Number(m[1]), m[2]!);
  } else {
    const parts = start.split(" ");
    if (parts.length !== 3 || !METHOD.test(parts[0]!) || parts[1]!.length === 0) {
      throw new SipError("ERR_SIP_PARSE", `bad request line: ${start.slice(0, 80)}`);
    }
    if (parts[2] !== "SIP/2.0") throw new SipError("ERR_SIP_PARSE", `unsupported SIP version ${parts[2]!.slice(0, 20)}`, { status: 505 });
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(parts[1]!)) throw new SipError("ERR_SIP_PARSE", "bad Request-URI", { status: 400 });
    msg = new SipRequest(parts[0]!, parts[1]!);
  }
  // Unfold continuation lines, then split name: value.
  const fields: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (BAD_CHARS.test(l)) throw new SipError("ERR_SIP_PARSE", "control characters in a header", { status: 400 });
    if (l.length === 0) throw new SipError("ERR_SIP_PARSE", "empty line inside the header block", { status: 400 });
    if (l[0] === " " || l[0] === "\t") {
      if (fields.length === 0) throw new SipError("ERR_SIP_PARSE", "continuation line before any header", { status: 400 });
      fields[fields.length - 1] += " " + l.trim();
    } else {
      fields.push(l);
    }
    if (fields.length > limits.maxHeaderCount) throw new SipError("ERR_SIP_TOO_LARGE", "too many header fields", { status: 513 });
  }
  for (const f of fields) {
    if (Buffer.byteLength(f) > limits.maxHeaderLineBytes) throw new SipError("ERR_SIP_TOO_LARGE", "header field too long", { status: 513 });
    const colon = f.indexOf(":");
    const name = colon < 0 ? "" : f.slice(0, colon).replace(/[ \t]+$/, "");
    if (!HEADER_NAME.test(name)) throw new SipError("ERR_SIP_PARSE", `bad header line: ${f.slice(0, 60)}`, { status: 400 });
    msg.headers.push({ name: canonicalHeaderName(name), value: f.slice(colon + 1).trim() });
  }
  return msg;
}

/**
 * The body length the header block announces. Throws ERR_SIP_CONTENT_LENGTH when missing,
 * malformed or ambiguous, ERR_SIP_TOO_LARGE when over the limit.
 */
export function contentLength(msg: SipMessage, limits: SipLimits = DEFAULT_SIP_LIMITS): number {
  const values = msg.getAll("Content-Length");
  if (values.length === 0) throw new SipError("ERR_SIP_CONTENT_LENGTH", "no Content-Length on a stream transport", { status: 400 });
  const distinct = new Set(values.map((v) => v.trim()));
  if (distinct.size !== 1) throw new SipError("ERR_SIP_CONTENT_LENGTH", "conflicting Content-Length values", { status: 400 });
  const v = [...distinct][0]!;
  if (!/^\d{1,10}$/.test(v)) throw new SipError("ERR_SIP_CONTENT_LENGTH", `bad Content-Length ${v.slice(0, 20)}`, { status: 400 });
  const n = Number(v);
  if (n > limits.maxBodyBytes) throw new SipError("ERR_SIP_TOO_LARGE", `body of ${n} bytes is over the limit`, { status: 513 });
  return n;
}

/** Checks the mandatory headers; throws ERR_SIP_MISSING_HEADER (status 400). */
export function validateMessage(msg: SipMessage): void {
  for (const h of ["Via", "From", "To", "Call-ID", "CSeq"]) {
    if (!msg.has(h)) throw new SipError("ERR_SIP_MISSING_HEADER", `missing ${h}`, { status: 400 });
  }
  // "Via:" with an empty value is present but names no hop: as good as missing.
  if (msg.getList("Via").length === 0) throw new SipError("ERR_SIP_MISSING_HEADER", "empty Via", { status: 400 });
  for (const h of ["From", "To", "Call-ID", "CSeq", "Content-Type", "Max-Forwards"]) {
    if (msg.getAll(h).length > 1) throw new SipError("ERR_SIP_PARSE", `more than one ${h}`, { status: 400 });
  }
  try {
    for (const v of msg.getList("Via")) parseVia(v);
    parseNameAddr(msg.get("From")!);
    parseNameAddr(msg.get("To")!);
    const cseq = parseCSeq(msg.get("CSeq")!);
    if (msg instanceof SipRequest && cseq.method !== msg.method) {
      throw new SipError("ERR_SIP_MISSING_HEADER", "the CSeq method differs from the request method");
    }
  } catch (e) {
    if (e instanceof SipError) throw new SipError("ERR_SIP_MISSING_HEADER", e.message, { status: 400 });
    throw e;
  }
  if (!/^\S{1,256}$/.test(msg.get("Call-ID")!)) throw new SipError("ERR_SIP_MISSING_HEADER", "bad Call-ID", { status: 400 });
  const mf = msg.get("Max-Forwards");
  if (mf !== undefined && !/^\d{1,3}$/.test(mf)) throw new SipError("ERR_SIP_PARSE", "bad Max-Forwards", { status: 400 });
}

/** Parses one complete message (header block bytes without the blank line, and the body). */
export function parseMessage(headBytes: Uint8Array, body: Uint8Array, limits: SipLimits = DEFAULT_SIP_LIMITS): SipMessage {
  const msg = parseHead(headBytes, limits);
  const n = contentLength(msg, limits);
  if (n !== body.length) throw new SipError("ERR_SIP_CONTENT_LENGTH", "Content-Length does not match the body", { status: 400 });
  msg.body = Buffer.from(body);
  validateMessage(msg);
  return msg;
}

/** Serializes with a Content-Length that matches the body (any stale one is dropped). */
export function serializeMessage(m: SipMessage): Buffer {
  const lines = [m.startLine()];
  for (const h of m.headers) {
    if (h.name === "Content-Length") continue;
    if (/[\r\n]/.test(h.value) || /[\r\n]/.test(h.name)) throw new SipError("ERR_SIP_PARSE", `header ${h.name} contains a line break`);
    lines.push(`${h.name}: ${h.value}`);
  }
  lines.push(`Content-Length: ${m.body.length}`);
  return Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "utf8"), m.body]);
}
