// Which TLS versions a peer accepts, probed with Node's `tls` (OpenSSL) — one short connection per
// version, at @SECLEVEL=0 so that OpenSSL still offers TLS 1.0/1.1. These connections only look:
// they carry no traffic, present no client certificate and verify nothing (the certificate checks
// are ours, in certificate.ts). Our own stack speaks only TLS 1.2 and 1.3.
//
// "Accepted" means the peer answered with a ServerHello of that version and its flight: OpenSSL
// then derives the handshake secrets, which its keylog event reports (SERVER_HANDSHAKE_TRAFFIC_SECRET
// in TLS 1.3, CLIENT_RANDOM in TLS 1.2 and below) — also when the peer goes on to refuse the
// connection for want of a client certificate, which is expected here. Errors are classified by
// Node's stable `code` (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION...), never by message text.
import net from "node:net";
import tls from "node:tls";

export type ProbedVersion = "TLSv1.3" | "TLSv1.2" | "TLSv1.1" | "TLSv1";

export const PROBED_VERSIONS: readonly ProbedVersion[] = ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1"];

export interface VersionProbe {
  version: ProbedVersion;
  /** The peer negotiated this version (its ServerHello and flight arrived). */
  accepted: boolean;
  /**
   * completed: the handshake finished; clientCertRequired: accepted, then the peer refused us for
   * not presenting a certificate; refused: the peer refused the version (alert or closed);
   * error: something else (timeout, reset before any answer).
   */
  outcome: "completed" | "clientCertRequired" | "refused" | "error";
  /** OpenSSL's cipher name, when known. */
  cipher: string | null;
  /** The alert the peer sent, e.g. "protocol_version", when it sent one. */
  alert: string | null;
  /** Node's error code, when the probe ended in an error. */
  errorCode: string | null;
  /** The certificates the peer sent (DER, its own first), when it got that far. */
  chain: Uint8Array[];
  durationMs: number;
}

/** The alert in a Node TLS error code: ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION → "protocol_version". */
export function alertFromNodeCode(code: string | undefined): string | null {
  const m = /_ALERT_([A-Z_]+)$/.exec(code ?? "");
  return m ? m[1]!.toLowerCase() : null;
}

/** The alerts with which a server refuses a client that presented no (acceptable) certificate. */
const CLIENT_CERT_ALERTS = new Set(["certificate_required", "handshake_failure", "bad_certificate", "unknown_ca", "access_denied", "certificate_unknown"]);

function peerChain(s: tls.TLSSocket): Uint8Array[] {
  let c: tls.DetailedPeerCertificate | undefined;
  try {
    c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate;
  } catch {
    return [];
  }
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  while (c && c.raw && c.raw.length > 0 && out.length < 16) {
    const fp = c.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(new Uint8Array(c.raw));
    c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : undefined;
  }
  return out;
}

export interface ProbeTarget {
  host: string;
  port: number;
  servername: string;
  timeoutMs: number;
}

/** Probes one version. Never rejects. */
export function probeVersion(t: ProbeTarget, version: ProbedVersion): Promise<VersionProbe> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let keyed = false;
    let secure = false;
    let chain: Uint8Array[] = [];
    let cipher: string | null = null;
    const s = tls.connect({
      host: t.host,
      port: t.port,
      ...(net.isIP(t.servername) ? {} : { servername: t.servername }),
      minVersion: version,
      maxVersion: version,
      // OpenSSL 3 refuses TLS 1.0/1.1 (and their SHA-1 signatures) above security level 0
      ciphers: "DEFAULT@SECLEVEL=0",
      rejectUnauthorized: false,
      // nothing is verified here: certificate.ts does that with our trust store
      checkServerIdentity: () => undefined,
    });
    const done = (r: Omit<VersionProbe, "version" | "durationMs" | "chain" | "cipher">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (chain.length === 0) chain = peerChain(s);
      s.destroy();
      resolve({ version, ...r, cipher, chain, durationMs: Math.round(performance.now() - t0) });
    };
    const timer = setTimeout(() => done({ accepted: keyed, outcome: keyed ? "completed" : "error", alert: null, errorCode: "ETIMEDOUT" }), t.timeoutMs);
    s.on("keylog", (line: Buffer) => {
      const label = line.subarray(0, line.indexOf(0x20)).toString("latin1");
      if (label === "SERVER_HANDSHAKE_TRAFFIC_SECRET" || label === "CLIENT_RANDOM") keyed = true;
    });
    s.on("secureConnect", () => {
      secure = true;
      keyed = true;
      cipher = s.getCipher()?.name ?? null;
      chain = peerChain(s);
      // A TLS 1.3 server refuses a missing client certificate after our Finished: read once to see it.
      s.write("\r\n\r\n"); // a SIP keep-alive ping (RFC 5626), harmless to a SIP peer
      setTimeout(() => done({ accepted: true, outcome: "completed", alert: null, errorCode: null }), Math.min(300, t.timeoutMs));
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "ERR_UNKNOWN";
      const alert = alertFromNodeCode(code);
      if (cipher === null) {
        try {
          cipher = s.getCipher()?.name ?? null;
        } catch {
          cipher = null;
        }
      }
      if (keyed || secure) {
        done({ accepted: true, outcome: alert !== null && CLIENT_CERT_ALERTS.has(alert) ? "clientCertRequired" : "completed", alert, errorCode: code });
      } else {
        const refusedLocally = code === "ERR_SSL_UNSUPPORTED_PROTOCOL" || code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE";
        const closed = code === "ECONNRESET" || code === "EPIPE";
        done({ accepted: false, outcome: alert !== null || refusedLocally || closed ? "refused" : "error", alert, errorCode: code });
      }
    });
    s.on("close", () => {
      if (secure || keyed) done({ accepted: true, outcome: "completed", alert: null, errorCode: null });
      else done({ accepted: false, outcome: "refused", alert: null, errorCode: "ECONNRESET" });
    });
  });
}

/** Probes every version, one after the other (a peer may limit parallel handshakes). */
export async function probeVersions(t: ProbeTarget): Promise<VersionProbe[]> {
  const out: VersionProbe[] = [];
  for (const v of PROBED_VERSIONS) out.push(await probeVersion(t, v));
  return out;
}
