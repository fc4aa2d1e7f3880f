// Typed SDP/SDES errors (ERR_SDP_*). `sipStatus` is the SIP response a UAS sends when the error
// comes from an offer: 400 for SDP it cannot parse, 488 (Not Acceptable Here) for anything it
// parsed but cannot accept.
import { GwsdkError } from "../errors.js";

export type SdpErrorCode =
  | "ERR_SDP_PARSE"
  | "ERR_SDP_CRYPTO"
  | "ERR_SDP_BASE64"
  | "ERR_SDP_KEY_LENGTH"
  | "ERR_SDP_MKI"
  | "ERR_SDP_LIFETIME"
  | "ERR_SDP_SESSION_PARAM"
  | "ERR_SDP_NO_SUITE"
  | "ERR_SDP_NOT_ACCEPTABLE"
  | "ERR_SDP_NO_CODEC"
  | "ERR_SDP_ANSWER"
  | "ERR_SDP_STATE";

export class SdpError extends GwsdkError {
  readonly sipStatus: number;
  constructor(code: SdpErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.sipStatus = code === "ERR_SDP_PARSE" ? 400 : 488;
  }
}
