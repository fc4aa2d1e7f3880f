// Pieces every handshake shares: reading the peer's Certificate message (TLS 1.3 and 1.2), and the
// error for a Finished that does not verify.
import type { TlsAlertError } from "../errors.js";
import { protocolError, refuse, type TlsHandshakeError } from "../mtls-errors.js";
import { signatureSchemeName } from "./constants.js";
import { decodeCertificate12, decodeCertificate13 } from "./messages.js";

/** Most certificates a peer may send (the path verifier refuses more than 16 anyway). */
const MAX_CHAIN = 16;

/**
 * The DER chain of a TLS 1.3 Certificate message. The context must be `context`; an empty list is
 * "no certificate": decode_error from a server (RFC 8446 §4.4.2.4), certificate_required from a
 * client that was asked for one (§4.4.2.4). CertificateEntry extensions are refused since we asked
 * for none (status_request, SCT).
 */
export function readCertificate13(body: Uint8Array, sender: "server" | "client", context: Uint8Array): Uint8Array[] {
  const m = decodeCertificate13(body);
  if (!Buffer.from(m.context).equals(Buffer.from(context))) throw protocolError("illegal_parameter", `the ${sender}'s Certificate has the wrong certificate_request_context`);
  for (const e of m.entries) if (e.extensions.length > 0) throw protocolError("unsupported_extension", `the ${sender}'s Certificate carries extension ${e.extensions[0]!.type}, which we did not request`);
  return checkChain(m.entries.map((e) => e.certData), sender, "TLSv1.3");
}

/** The DER chain of a TLS 1.2 Certificate message (RFC 5246 §7.4.2, §7.4.6). */
export function readCertificate12(body: Uint8Array, sender: "server" | "client"): Uint8Array[] {
  return checkChain(decodeCertificate12(body), sender, "TLSv1.2");
}

function checkChain(chain: Uint8Array[], sender: "server" | "client", version: "TLSv1.3" | "TLSv1.2"): Uint8Array[] {
  if (chain.length === 0) {
    if (sender === "server") return failNoServerCert();
    // RFC 8446 §4.4.2.4: certificate_required; RFC 5246 §7.4.6: handshake_failure
    throw refuse(
      "ERR_TLS_NO_CLIENT_CERT",
      version === "TLSv1.3" ? "certificate_required" : "handshake_failure",
      "the client sent no certificate, and this listener requires mutual TLS (configure a certificate for the Mediation Server's connection to the gateway)",
    );
  }
  if (chain.length > MAX_CHAIN) throw refuse("ERR_TLS_CERT_INVALID", "bad_certificate", `the ${sender} sent ${chain.length} certificates (at most ${MAX_CHAIN} are accepted)`);
  return chain;
}

function failNoServerCert(): never {
  throw refuse("ERR_TLS_NO_SERVER_CERT", "decode_error", "the server sent an empty certificate list");
}

export function refuseBadFinished(sender: "server" | "client", cause: TlsAlertError): TlsHandshakeError {
  return refuse("ERR_TLS_BAD_FINISHED", "decrypt_error", `the ${sender}'s Finished does not match the handshake: the messages were altered in transit, or the peer derived different keys`, { cause });
}

export const describePeerScheme = signatureSchemeName;
