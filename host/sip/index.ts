// SIP for a trunk gateway over reliable transports (RFC 3261 subset): see docs/sip.md.
export { SipError, type SipErrorCode } from "./errors.js";
export {
  SipMessage,
  SipRequest,
  SipResponse,
  createResponse,
  parseNameAddr,
  parseSipUri,
  parseVia,
  reasonPhrase,
  type SipHeader,
  type NameAddr,
  type Via,
  type CSeq,
  type SipUri,
} from "./message.js";
export { parseMessage, serializeMessage, DEFAULT_SIP_LIMITS, type SipLimits } from "./parser.js";
export { SipFramer } from "./framer.js";
export { resolveTimers, type SipTimers } from "./timers.js";
export { SipConnection, ServerTransaction, type SipConnectionOptions } from "./connection.js";
export { Dialog } from "./dialog.js";
export { ALLOW, SipCall, OutgoingCall, IncomingCall, type CallEnd, type InviteOptions, type ReinviteReply, type PoolMemberRef } from "./call.js";
export { SipEndpoint, type SipEndpointOptions, type SipPoolOptions, type SipHealthOptions, type MemberStatus } from "./endpoint.js";
