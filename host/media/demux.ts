// RFC 7983 §7 demultiplexing of what arrives on a media port, by the first byte:
//   0..3 STUN · 16..19 ZRTP · 20..63 DTLS · 64..79 TURN channel · 128..191 RTP/RTCP · else unknown.
// Inside 128..191, RTCP is told from RTP by the second byte (RFC 5761 §4): packet types 192..223
// (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205, PSFB 206, ...). Our payload types avoid
// 64..95 (dynamic PTs are 96..127), so the rule is unambiguous for the streams we negotiate.
// STUN is never fed to SRTP.

export type PacketKind = "stun" | "zrtp" | "dtls" | "turn" | "rtp" | "rtcp" | "unknown";

export function classifyPacket(p: Uint8Array): PacketKind {
  if (p.length === 0) return "unknown";
  const b = p[0]!;
  if (b <= 3) return "stun";
  if (b >= 16 && b <= 19) return "zrtp";
  if (b >= 20 && b <= 63) return "dtls";
  if (b >= 64 && b <= 79) return "turn";
  if (b >= 128 && b <= 191) {
    if (p.length < 2) return "unknown";
    const pt = p[1]!;
    return pt >= 192 && pt <= 223 ? "rtcp" : "rtp";
  }
  return "unknown";
}
