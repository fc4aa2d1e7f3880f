// SIP timers (RFC 3261 §17 and Table 4) for reliable transports, all configurable.
// Over TCP/TLS there are no request retransmissions (Timers A, E, G are unused) and the "wait for
// retransmissions" timers D, I, J, K are zero. What remains:
//   Timer B  INVITE client transaction gives up without a response           (64·T1 = 32 s)
//   Timer F  non-INVITE client transaction gives up without a final response (64·T1 = 32 s)
//   Timer H  INVITE server transaction waits for the ACK of a non-2xx         (64·T1 = 32 s)
//   2xx      the UAS core re-sends its 2xx at T1, 2·T1 ... capped at T2 until the ACK, and gives
//            up after 64·T1 (RFC 3261 §13.3.1.4), then ends the dialog with BYE.
//   inviteTimeout  the UAC cancels an INVITE that got a provisional but no final answer (3 min,
//            the spirit of Timer C for a UA).

export interface SipTimers {
  t1: number;
  t2: number;
  timerB: number;
  timerF: number;
  timerH: number;
  /** How long the UAS core re-sends a 2xx waiting for its ACK (default 64·T1). */
  ackTimeout: number;
  /** UAC: cancel an INVITE with no final response after this long (default 180000 ms). */
  inviteTimeout: number;
  /**
   * UAC: retry a re-INVITE refused with 491 after a random delay in [min, max] ms (RFC 3261 §14.1),
   * when this side owns the dialog's Call-ID (it sent the initial INVITE). Default 2.1-4 s.
   */
  glareRetry: [number, number];
  /**
   * The same delay when the peer owns the Call-ID (RFC 3261 §14.1: 0-2 s; by default the window
   * ends 100 ms before glareRetry's begins, 0-2 s for the default glareRetry). The two windows do not
   * overlap, so after a glare the non-owner retries first and the owner answers it: repeated
   * glare cannot happen (with equal windows both sides could retry at once again and again).
   */
  glareRetryNonOwner: [number, number];
}

export function resolveTimers(p: Partial<SipTimers> = {}): SipTimers {
  const t1 = p.t1 ?? 500;
  const glareRetry = p.glareRetry ?? [2100, 4000];
  return {
    t1,
    t2: p.t2 ?? 4000,
    timerB: p.timerB ?? 64 * t1,
    timerF: p.timerF ?? 64 * t1,
    timerH: p.timerH ?? 64 * t1,
    ackTimeout: p.ackTimeout ?? 64 * t1,
    inviteTimeout: p.inviteTimeout ?? 180000,
    glareRetry,
    // Unless given, the non-owner's window ends 100 ms before the owner's begins (the RFC's 0-2 s
    // against 2.1-4 s), so a caller that shortens glareRetry alone keeps the two apart.
    glareRetryNonOwner: p.glareRetryNonOwner ?? [0, Math.max(0, glareRetry[0] - 100)],
  };
}
