// SDP offer/answer and SDES (RFC 3264, RFC 4566/8866, RFC 4568) with the Skype for Business quirks: see docs/media.md.
export { SdpError, type SdpErrorCode } from "./errors.js";
export { SDES_SUITES, MAX_MKI_LENGTH, parseCryptoAttribute, formatCryptoAttribute, checkSessionParams, decodeBase64Strict, mkiBytes, type CryptoAttribute, type SdesKeyParam, type SdesMki } from "./sdes.js";
export {
  SdpNegotiator,
  parseSrtpMode,
  type SrtpMode,
  type MediaDirection,
  type NegotiatedMedia,
  type NegotiatedSrtp,
  type SdpNegotiatorOptions,
  type LocalMediaAddress,
} from "./negotiator.js";
