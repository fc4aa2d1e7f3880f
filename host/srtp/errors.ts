// SRTP errors: one class, a stable `code` per failure, plus the SSRC and packet index when the
// engine had learnt them before it refused the packet.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";

export type SrtpErrorCode =
  | "ERR_SRTP_AUTH"
  | "ERR_SRTP_REPLAY"
  | "ERR_SRTP_REPLAY_OLD"
  | "ERR_SRTP_MKI"
  | "ERR_SRTP_KEY_EXPIRED"
  | "ERR_SRTP_MALFORMED"
  | "ERR_SRTP_BUFFER"
  | "ERR_SRTP_PROFILE"
  | "ERR_SRTP_KEY"
  | "ERR_SRTP_REPEAT_TX"
  | "ERR_SRTP_FULL"
  | "ERR_SRTP_NO_STREAM"
  | "ERR_SRTP_STATE"
  | "ERR_SRTP_ARG";

export interface SrtpErrorDetails extends GwsdkErrorOptions {
  ssrc?: number;
  /** SRTP packet index (ROC * 2^16 + SEQ) or SRTCP index. */
  index?: number;
  /** The core's raw status. */
  status?: number;
}

export class SrtpError extends GwsdkError {
  declare readonly code: SrtpErrorCode;
  readonly ssrc?: number;
  readonly index?: number;
  readonly status?: number;
  constructor(code: SrtpErrorCode, message: string, details: SrtpErrorDetails = {}) {
    super(code, message, details.cause !== undefined ? { cause: details.cause } : undefined);
    if (details.ssrc !== undefined) this.ssrc = details.ssrc;
    if (details.index !== undefined) this.index = details.index;
    if (details.status !== undefined) this.status = details.status;
  }
}
