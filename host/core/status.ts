// The host's one mapping of the core's status table (assembly/abi/status.ts). Each status number
// maps to a stable error code; subsystem wrappers pick the error class, this table picks the code.
// Keep in step with assembly/abi/status.ts and docs/abi.md: numbers are never renumbered.

export interface StatusInfo {
  /** The constant's name in assembly/abi/status.ts. */
  readonly name: string;
  /** The stable host error code. */
  readonly code: string;
  /** A short description for messages. */
  readonly text: string;
}

export const CORE_STATUS: ReadonlyMap<number, StatusInfo> = new Map<number, StatusInfo>([
  [-1, { name: "ERR_BOUNDS", code: "ERR_CORE_BOUNDS", text: "a buffer lies outside the core's arena" }],
  [-2, { name: "ERR_ARG", code: "ERR_CORE_ARG", text: "an argument is out of range" }],
  [-3, { name: "ERR_KEY_LENGTH", code: "ERR_CORE_KEY_LENGTH", text: "the key length is not accepted" }],
  [-4, { name: "ERR_CAPACITY", code: "ERR_CORE_CAPACITY", text: "the output buffer is too small" }],
  [-5, { name: "ERR_AUTH", code: "ERR_CORE_AUTH", text: "authentication tag did not verify" }],
  [-6, { name: "ERR_SELFTEST", code: "ERR_CORE_SELFTEST", text: "power-on self-test failed" }],
  [-7, { name: "ERR_STATE", code: "ERR_CORE_STATE", text: "the context is not in a state that allows this call" }],
  [-8, { name: "ERR_LIMIT", code: "ERR_CORE_LIMIT", text: "a counter or keystream limit would be exceeded" }],
  // SRTP / SRTCP (-32 .. -63): assembly/srtp, docs/srtp.md
  [-32, { name: "ERR_SRTP_AUTH_FAIL", code: "ERR_SRTP_AUTH", text: "the SRTP/SRTCP authentication tag did not verify" }],
  [-33, { name: "ERR_SRTP_REPLAY", code: "ERR_SRTP_REPLAY", text: "the packet index was already received (replay)" }],
  [-34, { name: "ERR_SRTP_REPLAY_OLD", code: "ERR_SRTP_REPLAY_OLD", text: "the packet index lies behind the replay window" }],
  [-35, { name: "ERR_SRTP_MKI", code: "ERR_SRTP_MKI", text: "the MKI names no master key of the session" }],
  [-36, { name: "ERR_SRTP_KEY_EXPIRED", code: "ERR_SRTP_KEY_EXPIRED", text: "the master key reached its usage limit" }],
  [-37, { name: "ERR_SRTP_MALFORMED", code: "ERR_SRTP_MALFORMED", text: "the packet is not well-formed RTP/RTCP/SRTP/SRTCP" }],
  [-38, { name: "ERR_SRTP_BUFFER", code: "ERR_SRTP_BUFFER", text: "the output buffer is too small" }],
  [-39, { name: "ERR_SRTP_PROFILE", code: "ERR_SRTP_PROFILE", text: "unknown SRTP protection profile" }],
  [-40, { name: "ERR_SRTP_KEY", code: "ERR_SRTP_KEY", text: "the master key or salt has the wrong length for the profile" }],
  [-41, { name: "ERR_SRTP_REPEAT_TX", code: "ERR_SRTP_REPEAT_TX", text: "the sender already protected this sequence number" }],
  [-42, { name: "ERR_SRTP_FULL", code: "ERR_SRTP_FULL", text: "the session has no room for another stream or master key" }],
  [-43, { name: "ERR_SRTP_NO_STREAM", code: "ERR_SRTP_NO_STREAM", text: "no stream with this SSRC" }],
  [-44, { name: "ERR_SRTP_STATE", code: "ERR_SRTP_STATE", text: "the SRTP session is not usable for this call" }],
  // TLS record layer (-64..-127); host/tls/errors.ts turns the alert ones into TlsAlertError
  [-64, { name: "ERR_TLS_RECORD_OVERFLOW", code: "ERR_TLS_ALERT", text: "record too long (record_overflow)" }],
  [-65, { name: "ERR_TLS_BAD_RECORD_MAC", code: "ERR_TLS_ALERT", text: "record did not authenticate (bad_record_mac)" }],
  [-66, { name: "ERR_TLS_UNEXPECTED_MESSAGE", code: "ERR_TLS_ALERT", text: "record of an unexpected type (unexpected_message)" }],
  [-67, { name: "ERR_TLS_DECODE_ERROR", code: "ERR_TLS_ALERT", text: "record or alert cannot be decoded (decode_error)" }],
  [-68, { name: "ERR_TLS_PROTOCOL_VERSION", code: "ERR_TLS_ALERT", text: "record version not accepted (protocol_version)" }],
  [-69, { name: "ERR_TLS_DECRYPT_ERROR", code: "ERR_TLS_ALERT", text: "Finished verify_data did not match (decrypt_error)" }],
  [-70, { name: "ERR_TLS_ALERT_RECEIVED", code: "ERR_TLS_ALERT", text: "the peer sent a fatal alert" }],
  [-71, { name: "ERR_TLS_CLOSED", code: "ERR_TLS_CLOSED", text: "this direction of the connection is closed" }],
  [-72, { name: "ERR_TLS_SEQ_EXHAUSTED", code: "ERR_TLS_SEQUENCE_EXHAUSTED", text: "the 64-bit record sequence number would wrap" }],
  [-73, { name: "ERR_TLS_KEY_LIMIT", code: "ERR_TLS_KEY_LIMIT", text: "the AEAD usage limit of the write key is reached; a KeyUpdate is needed" }],
]);

export function statusInfo(status: number): StatusInfo {
  return (
    CORE_STATUS.get(status) ?? { name: `STATUS_${status}`, code: "ERR_CORE_UNKNOWN_STATUS", text: `unknown core status ${status}` }
  );
}
