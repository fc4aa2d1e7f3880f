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
