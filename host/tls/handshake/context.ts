// What every handshake state machine is given, and what it returns.
import type { Core } from "../../core/load-core.js";
import type { VerifyWarning } from "../../certs/verify.js";
import type { ParsedCert } from "../../certs/x509.js";
import type { AsymmetricProvider } from "../asymmetric.js";
import type { MtlsCredentials } from "../credentials.js";
import type { ResolvedTlsPolicy, TlsVersionLabel } from "../policy.js";
import type { TlsCipherSuite } from "../record-suites.js";
import type { HandshakeChannel } from "./channel.js";
import type { KeylogSink } from "../keylog.js";

/** Test-only knobs (interop tests of refusals); never set in production code. */
export interface HandshakeTestHooks {
  /** Rewrites each handshake message we send, after it entered our transcript. */
  mutateOutgoing?: (type: number, raw: Uint8Array) => Uint8Array;
}

export interface HandshakeContext {
  core: Core;
  channel: HandshakeChannel;
  policy: ResolvedTlsPolicy;
  credentials: MtlsCredentials;
  asym: AsymmetricProvider;
  now: () => Date;
  buildDate: Date;
  beforeClockSet: "refuseTls" | "warn";
  /** Client role: the name to send in SNI and to find in the server's certificate. */
  servername?: string;
  /** Server role: the names a client certificate must carry one of. */
  allowedPeers?: readonly string[];
  /** Server role, diagnostics: accept any client whose chain verifies, without a name check. */
  anyTrustedPeer?: boolean;
  /** record_size_limit we advertise (RFC 8449), 0 = do not send the extension. */
  recordSizeLimit: number;
  hooks?: HandshakeTestHooks;
  /** SSLKEYLOGFILE lines for debugging (host/tls/keylog.ts); absent in normal operation. */
  keylog?: KeylogSink;
}

export interface HandshakeResult {
  version: TlsVersionLabel;
  suite: TlsCipherSuite;
  /** IANA name of the key-exchange group. */
  group: string;
  /** The peer's verified path, leaf → trust anchor. */
  peerPath: ParsedCert[];
  /** Verification warnings (missing/stale CRL under the default policy). */
  warnings: VerifyWarning[];
  /** The scheme of the peer's handshake signature and of ours. */
  peerSignatureScheme: string;
  signatureScheme: string;
  /** Server role: the SNI host name the client sent, if any. */
  serverName?: string;
  /** record_size_limit the peer advertised (0: none). */
  peerRecordSizeLimit: number;
  /** TLS 1.3: the server asked for another key share (HelloRetryRequest). */
  helloRetryRequest: boolean;
  /** The TLS 1.2 peer offered secure renegotiation (always true for TLS 1.3). */
  secureRenegotiation: boolean;
}

/** Versions on the wire. */
export const WIRE_VERSION: Record<TlsVersionLabel, number> = { "TLSv1.3": 0x0304, "TLSv1.2": 0x0303 };
