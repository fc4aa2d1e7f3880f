// Small pieces shared by the SRTP and SRTCP transforms: trailer writing, counters.
import {
  K_MKI, S_AUTH_FAILURES, S_BYTES, S_LAST_KEY, S_PACKETS, S_REPLAYS, T_AUTH_FAILURES, T_BYTES,
  T_PACKETS, T_REPLAYS,
} from "./layout";
import { keySlotIndex, keyUsed } from "./keys";

/** Writes the key's MKI (mkiLen octets, 0..4) at p. */
@inline export function writeMki(p: usize, k: usize, mkiLen: usize): void {
  for (let j: usize = 0; j < mkiLen; j++) store<u8>(p + j, load<u8>(k + K_MKI + j));
}

/** Counts an authentication failure against the stream (if it exists) and the session. */
export function countAuthFailure(s: usize, t: usize): void {
  if (t != 0) store<u32>(t, load<u32>(t, T_AUTH_FAILURES) + 1, T_AUTH_FAILURES);
  store<u64>(s, load<u64>(s, S_AUTH_FAILURES) + 1, S_AUTH_FAILURES);
}

/** Counts a replayed / too-old packet against the stream (if it exists) and the session. */
export function countReplay(s: usize, t: usize): void {
  if (t != 0) store<u32>(t, load<u32>(t, T_REPLAYS) + 1, T_REPLAYS);
  store<u64>(s, load<u64>(s, S_REPLAYS) + 1, S_REPLAYS);
}

/** Commits the accounting of one processed packet: counters, key use, last key. */
export function countPacket(s: usize, t: usize, k: usize, bytes: usize, rtcp: bool): void {
  store<u64>(t, load<u64>(t, T_PACKETS) + 1, T_PACKETS);
  store<u64>(t, load<u64>(t, T_BYTES) + <u64>bytes, T_BYTES);
  store<u64>(s, load<u64>(s, S_PACKETS) + 1, S_PACKETS);
  store<u64>(s, load<u64>(s, S_BYTES) + <u64>bytes, S_BYTES);
  keyUsed(s, k, rtcp);
  store<u8>(s, <u8>keySlotIndex(s, k), S_LAST_KEY);
}
