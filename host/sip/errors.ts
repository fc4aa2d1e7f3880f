// Typed SIP errors (ERR_SIP_*). Callers branch on `code` (and `status` for ERR_SIP_REJECTED).
import { GwsdkError } from "../errors.js";

export type SipErrorCode =
  /** The bytes are not a SIP message (start line, header syntax, encoding). */
  | "ERR_SIP_PARSE"
  /** Header block, a header, the header count or the body is over its limit. */
  | "ERR_SIP_TOO_LARGE"
  /** Content-Length is missing, malformed, or given twice with different values. */
  | "ERR_SIP_CONTENT_LENGTH"
  /** A mandatory header (Via, From, To, Call-ID, CSeq) is missing or unparsable. */
  | "ERR_SIP_MISSING_HEADER"
  /** A transaction timer (B, F, H), the keep-alive pong, a connect or the 2xx/ACK wait expired. */
  | "ERR_SIP_TIMEOUT"
  /** The transport failed: connect error, connection closed under a transaction. */
  | "ERR_SIP_TRANSPORT"
  /** A request got a final non-2xx response; `status` holds it. */
  | "ERR_SIP_REJECTED"
  /** Our INVITE was cancelled (487) before it was answered. */
  | "ERR_SIP_CANCELLED"
  /** Every pool member failed for a new request (connect failure, timeout or 5xx each). */
  | "ERR_SIP_NO_MEMBER"
  /** The call or endpoint is not in a state that allows the operation. */
  | "ERR_SIP_STATE"
  /** The endpoint or connection was closed. */
  | "ERR_SIP_CLOSED";

export class SipError extends GwsdkError {
  /** For ERR_SIP_REJECTED: the response status. For parse errors: the status to answer with. */
  readonly status?: number;
  constructor(code: SipErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.status !== undefined) this.status = options.status;
  }
}
