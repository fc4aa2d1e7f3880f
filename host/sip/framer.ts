// Message framing on a stream transport (RFC 3261 §18.3: header block, blank line, Content-Length
// bytes of body) and the RFC 5626 §3.5.1 CRLF keep-alive: a double CRLF ("ping") between messages
// is answered with a single CRLF ("pong").
//
// Errors are either recoverable (the message was framed correctly but is not acceptable: the
// connection answers 400 when it can and carries on) or fatal (framing is lost: oversized header
// block, bad Content-Length, binary junk; the connection answers 400/513 when it can and closes).
import { SipError } from "./errors.js";
import { type SipMessage } from "./message.js";
import { DEFAULT_SIP_LIMITS, contentLength, parseHead, validateMessage, type SipLimits } from "./parser.js";

export interface FramerHandlers {
  message(m: SipMessage): void;
  /** A CRLFCRLF keep-alive arrived: answer with CRLF. */
  ping(): void;
  /** A lone CRLF arrived while a pong was expected. */
  pong(): void;
  /** `partial` is the message when its header block parsed, for building a 400 response. */
  error(e: SipError, fatal: boolean, partial?: SipMessage): void;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

export class SipFramer {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { msg: SipMessage; bodyLength: number } | undefined;
  private dead = false;
  /** Set by the connection while it waits for a pong, so a lone CRLF is taken as one at once. */
  expectingPong = false;

  constructor(
    private readonly handlers: FramerHandlers,
    private readonly limits: SipLimits = DEFAULT_SIP_LIMITS,
  ) {}

  get failed(): boolean {
    return this.dead;
  }

  /**
   * True while part of a message has arrived but not all of it. Stray CRLFs between messages (at
   * most three wait here, for a possible keep-alive ping) do not count.
   */
  get partial(): boolean {
    if (this.dead) return false;
    if (this.pending !== undefined) return true;
    const b = this.buf;
    return b.length > 3 || (b.length > 0 && b[0] !== 0x0d && b[0] !== 0x0a);
  }

  push(chunk: Buffer): void {
    if (this.dead) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.drain();
  }

  private fatal(e: SipError, partial?: SipMessage): void {
    this.dead = true;
    this.buf = Buffer.alloc(0);
    this.handlers.error(e, true, partial);
  }

  private drain(): void {
    while (!this.dead) {
      if (this.pending) {
        const { msg, bodyLength } = this.pending;
        if (this.buf.length < bodyLength) return;
        msg.body = Buffer.from(this.buf.subarray(0, bodyLength));
        this.buf = this.buf.subarray(bodyLength);
        this.pending = undefined;
        try {
          validateMessage(msg);
        } catch (e) {
          this.handlers.error(e as SipError, false, msg);
          continue;
        }
        this.handlers.message(msg);
        continue;
      }
      // Between messages: keep-alives and stray CRLFs.
      if (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
        if (this.buf.length >= 4 && this.buf[2] === 0x0d && this.buf[3] === 0x0a) {
          this.buf = this.buf.subarray(4);
          this.handlers.ping();
          continue;
        }
        // Maybe the start of a ping: wait for its other half.
        if (!this.expectingPong && (this.buf.length === 2 || (this.buf.length === 3 && this.buf[2] === 0x0d))) return;
        this.buf = this.buf.subarray(2);
        if (this.expectingPong) {
          this.expectingPong = false;
          this.handlers.pong();
        }
        continue;
      }
      if (this.buf.length === 0) return;
      if (this.buf.length === 1 && this.buf[0] === 0x0d) return;
      // Reject junk early: the start line is printable ASCII beginning with a letter.
      const firstLineEnd = this.buf.indexOf("\r\n");
      const probe = this.buf.subarray(0, firstLineEnd < 0 ? Math.min(this.buf.length, this.limits.maxHeaderLineBytes) : firstLineEnd);
      for (let i = 0; i < probe.length; i++) {
        const c = probe[i]!;
        if (c === 0x0d && firstLineEnd < 0 && i === this.buf.length - 1) break; // CR of a CRLF still to come
        if (c < 0x20 || c > 0x7e || (i === 0 && !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)))) {
          this.fatal(new SipError("ERR_SIP_PARSE", "binary data where a SIP start line was expected"));
          return;
        }
      }
      if (firstLineEnd < 0 && this.buf.length > this.limits.maxHeaderLineBytes) {
        this.fatal(new SipError("ERR_SIP_TOO_LARGE", "start line too long", { status: 513 }));
        return;
      }
      const end = this.buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (this.buf.length > this.limits.maxHeaderBytes) this.fatal(new SipError("ERR_SIP_TOO_LARGE", "header block too large", { status: 513 }));
        return;
      }
      if (end + 4 > this.limits.maxHeaderBytes) {
        this.fatal(new SipError("ERR_SIP_TOO_LARGE", "header block too large", { status: 513 }));
        return;
      }
      const head = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end + 4);
      let msg: SipMessage;
      try {
        msg = parseHead(head, this.limits);
      } catch (e) {
        this.fatal(e as SipError);
        return;
      }
      let n: number;
      try {
        n = contentLength(msg, this.limits);
      } catch (e) {
        this.fatal(e as SipError, msg);
        return;
      }
      this.pending = { msg, bodyLength: n };
    }
  }
}
