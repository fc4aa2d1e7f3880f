// What the console shows about the trunk: the data-source interface the gateway (and the simulator)
// implements. The console polls links()/pool()/calls() once a second for counters and redraws at
// once on "change" (a link up or down, a call started or ended, a pool member up or down).
//
// Every field is something a technician may see: no key, salt or other secret ever goes in here
// (the MKI is not secret: it travels in clear in every SRTP packet). Times are ISO 8601 strings,
// JSON is camelCase. host/console/trunk-data-source.ts implements this over the SIP endpoint and
// gateway calls; docs/console.md documents it.

/** One MTLS connection of the trunk (SIP over TLS to or from a Mediation Server pool member). */
export interface LinkStatus {
  /** Stable while the connection lives. */
  id: string;
  /** The peer, "host:port". */
  peer: string;
  /** "outbound": we connected to the pool member; "inbound": the Mediation Server connected to us. */
  direction: "outbound" | "inbound";
  state: "up" | "down";
  /** "TLSv1.3" | "TLSv1.2"; null when the transport is not TLS (tests over TCP). */
  tlsVersion: string | null;
  /** IANA name of the cipher suite, e.g. "TLS_AES_128_GCM_SHA256". */
  cipherSuite: string | null;
  /** Key-exchange group, e.g. "x25519", "P-256"; null when the TLS stack does not say. */
  group: string | null;
  /** The peer certificate's subject (RFC 4514 style, "CN=pool.contoso.com, O=Contoso"). */
  peerSubject: string | null;
  /** The peer certificate's notAfter. */
  peerNotAfter: string | null;
  /** Whole days until the peer certificate expires (negative once expired). */
  peerDaysToExpiry: number | null;
  upSince: string;
  /** When the link went down (state "down"), and why. */
  downSince?: string;
  lastError?: string;
  /** OPTIONS health of the pool member this link goes to, when it is one. */
  options?: PoolMemberStatus;
}

/** SIP OPTIONS health of one pool member (the Mediation Server marks a gateway down after ~5 misses). */
export interface PoolMemberStatus {
  /** "host:port". */
  member: string;
  up: boolean;
  /** Consecutive failed probes or call attempts. */
  failures: number;
  /** Probes sent so far. */
  probes: number;
  lastError?: string;
}

/** The SRTP of a call as negotiated by SDES: profile and MKIs, never keys. */
export interface CallSrtpStatus {
  /** e.g. "AES_CM_128_HMAC_SHA1_80". */
  profile: string;
  /** MKI our packets carry (hex) and its length in bytes; null when no MKI. */
  txMki: { value: string; length: number } | null;
  /** MKIs accepted from the peer (the same key with and without MKI when it listed both). */
  rxMki: ({ value: string; length: number } | null)[];
  /** Which form of the peer's key last authenticated ("mki:01", "no-mki"), "" before any. */
  lastRxForm: string;
}

export interface CallCounters {
  packets: number;
  bytes: number;
}

/** One call with media. */
export interface CallStatus {
  id: string;
  /** "outbound": towards the Mediation Server (PSTN → Teams/SfB); "inbound": from it. */
  direction: "outbound" | "inbound";
  state: "early" | "confirmed" | "ended";
  /** Caller and callee user parts (numbers), when known. */
  from: string;
  to: string;
  startedAt: string;
  endedAt?: string;
  /** null: plain RTP (srtpMode optional/notSupported). */
  srtp: CallSrtpStatus | null;
  codec: string | null;
  tx: CallCounters;
  rx: CallCounters;
  /** SRTP/SRTCP packets that failed authentication. */
  authFailures: number;
  /** Replayed (or too old) packets dropped. */
  replays: number;
  /** Packets with an MKI that matches no key. */
  mkiUnknown: number;
  /** Cumulative packets lost (RFC 3550 A.3), and as a fraction of those expected. */
  lost: number;
  lossFraction: number;
  jitterMs: number;
  rttMs: number | null;
}

/** Who this gateway is (shown in the header). */
export interface GatewayInfo {
  /** The gateway FQDN, or a board/device name. */
  name: string;
  board?: string;
  version?: string;
  startedAt?: string;
}

/** What the console reads. The gateway implements it; TrunkDataSource is the reference. */
export interface ConsoleDataSource {
  links(): LinkStatus[];
  pool(): PoolMemberStatus[];
  calls(): CallStatus[];
  gateway?(): GatewayInfo;
  /** "change": something structural changed; the console pushes a fresh snapshot at once. */
  on(event: "change", listener: () => void): unknown;
  off(event: "change", listener: () => void): unknown;
}

/** A data source with nothing to show (a gateway whose trunk is not configured yet). */
export class EmptyDataSource implements ConsoleDataSource {
  constructor(private readonly info?: GatewayInfo) {}
  links(): LinkStatus[] {
    return [];
  }
  pool(): PoolMemberStatus[] {
    return [];
  }
  calls(): CallStatus[] {
    return [];
  }
  gateway(): GatewayInfo {
    return this.info ?? { name: "gateway" };
  }
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
}
