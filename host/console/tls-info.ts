// What the console shows about one TLS connection: version, suite, group, the peer's certificate.
// Two stacks are read: our own MTLS socket (host/tls: the gateway's links), which exposes `version`,
// `suite`, `group` and `peerChain`, and Node's `tls.TLSSocket` (a gateway glue on Node's tls, tests).
// The MTLS socket is recognised by those properties, so this file does not import it.
import { TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";

export interface TlsInfo {
  version: string | null;
  cipherSuite: string | null;
  group: string | null;
  peerSubject: string | null;
  peerNotAfter: Date | null;
}

interface MtlsLike {
  readonly version: string;
  readonly suite: string;
  readonly group: string;
  readonly peerChain: readonly { subject: string; notAfter: Date }[];
}

function isMtlsLike(s: unknown): s is MtlsLike {
  const o = s as Partial<MtlsLike>;
  return typeof o === "object" && o !== null && "suite" in o && "group" in o && "peerChain" in o && !(s instanceof TLSSocket);
}

/** Node gives the subject as "C=US\nO=Contoso\nCN=pool.contoso.com"; shown most specific first. */
export function formatNodeSubject(subject: string): string {
  return subject
    .split("\n")
    .filter((l) => l.length > 0)
    .reverse()
    .join(", ");
}

const GROUP_NAMES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521", X25519: "x25519", X448: "x448" };

/** TLS details of a socket; null when the socket is not TLS (SIP over TCP in tests). */
export function describeTls(socket: Duplex): TlsInfo | null {
  if (socket instanceof TLSSocket) {
    const info: TlsInfo = { version: null, cipherSuite: null, group: null, peerSubject: null, peerNotAfter: null };
    try {
      info.version = socket.getProtocol() ?? null;
      const c = socket.getCipher() as { standardName?: string; name?: string } | undefined;
      info.cipherSuite = c?.standardName ?? c?.name ?? null;
      // Node reports the key-exchange group only on the client side; a server socket says {}.
      const k = socket.getEphemeralKeyInfo() as { name?: string } | null;
      info.group = k && k.name ? (GROUP_NAMES[k.name] ?? k.name) : null;
      const peer = socket.getPeerX509Certificate();
      if (peer) {
        info.peerSubject = formatNodeSubject(peer.subject);
        info.peerNotAfter = new Date(peer.validTo);
      }
    } catch {
      /* the socket closed under us: what we have is what we show */
    }
    return info;
  }
  if (isMtlsLike(socket)) {
    try {
      const leaf = socket.peerChain[0];
      return { version: socket.version, cipherSuite: socket.suite, group: socket.group, peerSubject: leaf?.subject ?? null, peerNotAfter: leaf?.notAfter ?? null };
    } catch {
      return { version: null, cipherSuite: null, group: null, peerSubject: null, peerNotAfter: null };
    }
  }
  return null;
}
