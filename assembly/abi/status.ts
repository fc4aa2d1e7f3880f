// The core's status table. Every export returns a byte length (>= 0) or one of these negative
// statuses. Numbers are part of the ABI: later subsystems add new ones, none is ever renumbered
// or reused. Mirrored in docs/abi.md and mapped once to host error codes in host/core/status.ts.
//
// Ranges: -1..-31 general, -32..-63 SRTP/SRTCP, -64..-127 TLS record layer.

export const OK: i32 = 0;

// ---- general (-1 .. -31) ----
/** A pointer/length pair does not lie wholly inside the arena. */
export const ERR_BOUNDS: i32 = -1;
/** An argument is out of its documented range (bad length, bad mode, bad algorithm id). */
export const ERR_ARG: i32 = -2;
/** A key has a length the algorithm does not accept. */
export const ERR_KEY_LENGTH: i32 = -3;
/** The output capacity given is too small; nothing was written. */
export const ERR_CAPACITY: i32 = -4;
/** An authentication tag or MAC did not verify; no plaintext was written. */
export const ERR_AUTH: i32 = -5;
/** A power-on self-test known answer did not match. */
export const ERR_SELFTEST: i32 = -6;
/** A context is not in a state that allows the call (not initialised, already failed, exhausted). */
export const ERR_STATE: i32 = -7;
/** A counter or keystream limit would be exceeded (e.g. a 32-bit CTR block counter, 2^16 AES-CM blocks). */
export const ERR_LIMIT: i32 = -8;

// ---- SRTP / SRTCP (-32 .. -63) ----  (assembly/srtp/, docs/srtp.md)
/** The authentication tag did not verify; nothing was written and no state changed. */
export const ERR_SRTP_AUTH_FAIL: i32 = -32;
/** The packet index was already received (inside the replay window). */
export const ERR_SRTP_REPLAY: i32 = -33;
/** The packet index lies behind the replay window (too old to tell). */
export const ERR_SRTP_REPLAY_OLD: i32 = -34;
/** The packet's MKI names no master key of the session (or an MKI is malformed / duplicated). */
export const ERR_SRTP_MKI: i32 = -35;
/** The master key reached its usage limit (2^48 SRTP / 2^31 SRTCP or the SDES lifetime), or the
 *  packet index space of the stream is used up; re-key. */
export const ERR_SRTP_KEY_EXPIRED: i32 = -36;
/** The packet is not a well-formed RTP/RTCP (or SRTP/SRTCP) packet: checked before any crypto. */
export const ERR_SRTP_MALFORMED: i32 = -37;
/** The output capacity is smaller than the result; nothing was written. */
export const ERR_SRTP_BUFFER: i32 = -38;
/** Unknown SRTP protection profile. */
export const ERR_SRTP_PROFILE: i32 = -39;
/** The master key or master salt has the wrong length for the profile. */
export const ERR_SRTP_KEY: i32 = -40;
/** A sender was asked to protect a sequence number it already protected (and retransmission is off). */
export const ERR_SRTP_REPEAT_TX: i32 = -41;
/** The session has no room for another stream (max streams) or another master key (max keys). */
export const ERR_SRTP_FULL: i32 = -42;
/** No stream with this SSRC exists in the session. */
export const ERR_SRTP_NO_STREAM: i32 = -43;
/** The session context is not initialised, or has no usable master key. */
export const ERR_SRTP_STATE: i32 = -44;
// ---- TLS record layer (-64 .. -127) ----
// The first six are protocol failures that map one-to-one to the RFC 8446 §6 alert this side must
// send (host/tls/alerts.ts). After any of them the half connection is failed for good (sticky).
/** A record is longer than the protocol or the negotiated record_size_limit allows (alert record_overflow). */
export const ERR_TLS_RECORD_OVERFLOW: i32 = -64;
/** A protected record did not authenticate, or is too short to hold a tag (alert bad_record_mac). */
export const ERR_TLS_BAD_RECORD_MAC: i32 = -65;
/** A record of a type not allowed here: unknown type, protected change_cipher_spec, plaintext
 *  application data, empty handshake/alert, all-zero inner plaintext (alert unexpected_message). */
export const ERR_TLS_UNEXPECTED_MESSAGE: i32 = -66;
/** A record or alert that cannot be decoded (alert decode_error). */
export const ERR_TLS_DECODE_ERROR: i32 = -67;
/** A record header carries a version this connection does not accept (alert protocol_version). */
export const ERR_TLS_PROTOCOL_VERSION: i32 = -68;
/** A Finished verify_data did not match (alert decrypt_error). Not sticky: no half connection is involved. */
export const ERR_TLS_DECRYPT_ERROR: i32 = -69;
/** The peer sent a fatal alert; tls_half_alert() names it. Sticky on the read half. */
export const ERR_TLS_ALERT_RECEIVED: i32 = -70;
/** This direction is closed: close_notify or a fatal alert was sent (write) or close_notify received (read). */
export const ERR_TLS_CLOSED: i32 = -71;
/** The 64-bit sequence number would wrap (RFC 8446 §5.3, RFC 5246 §6.1). Fatal and sticky. */
export const ERR_TLS_SEQ_EXHAUSTED: i32 = -72;
/** The AEAD usage limit of the current write key is reached (RFC 8446 §5.5): send KeyUpdate (1.3)
 *  or open a new connection (1.2) first. Not sticky: a KeyUpdate clears it. */
export const ERR_TLS_KEY_LIMIT: i32 = -73;
