// RTP and RTCP header validation (RFC 3550 §5.1, §6.4), done before any cryptographic work.
// Header fields are public, so these checks branch freely.
import { ERR_SRTP_MALFORMED } from "../abi/status";
import { bswap16, bswap32, bswap64 } from "../crypto/be";

/** The fixed RTP header: V P X CC | M PT | sequence number | timestamp | SSRC. */
export const RTP_FIXED_HEADER_LEN: usize = 12;
/** The RTCP common header plus the sender SSRC: V P RC | PT | length | SSRC. */
export const RTCP_HEADER_LEN: usize = 8;
/** The SRTCP trailer word: E flag (1 bit) || SRTCP index (31 bits), RFC 3711 §3.4. */
export const SRTCP_TRAILER_LEN: usize = 4;
export const SRTCP_E_FLAG: u32 = 0x80000000;
export const SRTCP_INDEX_MASK: u32 = 0x7fffffff;

/** Version 2 in the top two bits of the first octet (RTP and RTCP alike). */
@inline function versionIs2(b0: u32): bool {
  return (b0 >> 6) == 2;
}

/**
 * Length of the RTP header of the packet p[0..len): the fixed 12 octets, the CSRC list (4 * CC)
 * and, when X is set, the header extension (4 octets + 4 * its length field). Returns
 * ERR_SRTP_MALFORMED when the version is not 2 or any part runs past len.
 */
@inline export function rtpHeaderLen(p: usize, len: usize): i32 {
  if (len < RTP_FIXED_HEADER_LEN) return ERR_SRTP_MALFORMED;
  const b0 = <u32>load<u8>(p);
  if (!versionIs2(b0)) return ERR_SRTP_MALFORMED;
  let hl: usize = RTP_FIXED_HEADER_LEN + ((<usize>(b0 & 0x0f)) << 2);
  if (hl > len) return ERR_SRTP_MALFORMED;
  if (b0 & 0x10) {
    if (hl + 4 > len) return ERR_SRTP_MALFORMED;
    const words = (<usize>load<u8>(p + hl + 2) << 8) | <usize>load<u8>(p + hl + 3);
    hl += 4 + (words << 2);
    if (hl > len) return ERR_SRTP_MALFORMED;
  }
  return <i32>hl;
}

/**
 * When the P bit is set, the last payload octet counts the padding octets including itself
 * (RFC 3550 §5.1): it must be at least 1 and fit in the payload. Checked on plaintext RTP only.
 */
@inline export function rtpPaddingOk(p: usize, hdrLen: usize, len: usize): bool {
  if ((load<u8>(p) & 0x20) == 0) return true;
  if (len <= hdrLen) return false;
  const pad = <usize>load<u8>(p + len - 1);
  return pad != 0 && pad <= len - hdrLen;
}

/** An RTCP packet (compound or not) starts with version 2 and has at least header + SSRC. */
export function rtcpHeaderOk(p: usize, len: usize): bool {
  return len >= RTCP_HEADER_LEN && versionIs2(<u32>load<u8>(p));
}

/** Big-endian loads of header fields. */
@inline export function loadBe16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1);
}

@inline export function loadBe32(p: usize): u32 {
  return bswap32(load<u32>(p));
}

@inline export function storeBe32(p: usize, v: u32): void {
  store<u32>(p, bswap32(v));
}

/** The RTP sequence number (octets 2..3). */
@inline export function rtpSeq(p: usize): u32 {
  return loadBe16(p + 2);
}

/** The RTP SSRC (octets 8..11). */
@inline export function rtpSsrc(p: usize): u32 {
  return loadBe32(p + 8);
}

/** The RTCP sender SSRC (octets 4..7). */
@inline export function rtcpSsrc(p: usize): u32 {
  return loadBe32(p + 4);
}
