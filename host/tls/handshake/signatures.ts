// Handshake signatures: what is signed (RFC 8446 §4.4.3, RFC 5246 §7.4.3/§7.4.8), which scheme we
// sign with, and the checks on the peer's choice of scheme before its signature is verified.
import type { ParsedCert } from "../../certs/x509.js";
import { SIGNATURE_SCHEMES, type SignatureScheme as SchemeName, type SigningProvider } from "../../certs/keys.js";
import { SCHEMES, type AsymmetricProvider } from "../asymmetric.js";
import { refuse, protocolError } from "../mtls-errors.js";
import type { ResolvedTlsPolicy } from "../policy.js";
import { signatureSchemeName } from "./constants.js";

const CONTEXT_SERVER = "TLS 1.3, server CertificateVerify";
const CONTEXT_CLIENT = "TLS 1.3, client CertificateVerify";

/** RFC 8446 §4.4.3: 64 spaces ‖ context string ‖ 0x00 ‖ Transcript-Hash. */
export function tls13SignedContent(sender: "server" | "client", transcriptHash: Uint8Array): Uint8Array {
  const ctx = Buffer.from(sender === "server" ? CONTEXT_SERVER : CONTEXT_CLIENT, "latin1");
  const out = new Uint8Array(64 + ctx.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(ctx, 64);
  out[64 + ctx.length] = 0;
  out.set(transcriptHash, 65 + ctx.length);
  return out;
}

/** RFC 8422 §5.4: ServerKeyExchange signs client_random ‖ server_random ‖ ServerECDHParams. */
export function tls12KeyExchangeSignedContent(clientRandom: Uint8Array, serverRandom: Uint8Array, params: Uint8Array): Uint8Array {
  const out = new Uint8Array(64 + params.length);
  out.set(clientRandom, 0);
  out.set(serverRandom, 32);
  out.set(params, 64);
  return out;
}

const NAME_OF = new Map<number, SchemeName>(Object.entries(SIGNATURE_SCHEMES).map(([k, v]) => [v, k as SchemeName]));

/**
 * The scheme we sign with: the signer's preference order, restricted to what the peer accepts and
 * our policy allows; TLS 1.3 excludes rsa_pkcs1_* (RFC 8446 §4.2.3). Undefined when none fits.
 */
export function chooseOwnScheme(peerSchemes: readonly number[], signer: SigningProvider, policy: ResolvedTlsPolicy, version: "TLSv1.3" | "TLSv1.2"): number | undefined {
  for (const name of signer.schemes) {
    const id = SIGNATURE_SCHEMES[name];
    if (id === undefined || !policy.schemes.includes(id) || !peerSchemes.includes(id)) continue;
    if (version === "TLSv1.3" && SCHEMES.get(id)?.kind === "rsa-pkcs1") continue;
    return id;
  }
  return undefined;
}

/** Signs through the identity's signing provider (the private key never leaves it). */
export async function signWith(signer: SigningProvider, scheme: number, data: Uint8Array): Promise<Uint8Array> {
  const name = NAME_OF.get(scheme);
  if (!name) throw new RangeError(`no signing name for scheme 0x${scheme.toString(16)}`);
  return signer.sign(data, name);
}

export interface PeerSignatureCheck {
  asym: AsymmetricProvider;
  /** The scheme the peer used. */
  scheme: number;
  /** The schemes we offered (a scheme outside them is illegal_parameter). */
  offered: readonly number[];
  leaf: ParsedCert;
  data: Uint8Array;
  signature: Uint8Array;
  version: "TLSv1.3" | "TLSv1.2";
  /** For messages: "the server's CertificateVerify". */
  what: string;
}

/**
 * Checks the peer's scheme (offered by us, allowed in this version, fits the certificate's key)
 * and then the signature. Scheme violations are illegal_parameter (RFC 8446 §4.4.3); a signature
 * that does not verify is decrypt_error with ERR_TLS_BAD_SIGNATURE.
 */
export function checkPeerSignature(c: PeerSignatureCheck): void {
  const info = SCHEMES.get(c.scheme);
  const name = signatureSchemeName(c.scheme);
  if (!info || !c.offered.includes(c.scheme)) throw protocolError("illegal_parameter", `${c.what} uses signature scheme ${name}, which we did not offer`);
  if (c.version === "TLSv1.3" && info.kind === "rsa-pkcs1") throw protocolError("illegal_parameter", `${c.what} uses ${name}, which TLS 1.3 forbids in handshake signatures`);
  const keyType = c.leaf.keyType;
  // RFC 8422 §5.1 (TLS 1.2) and our schemes (TLS 1.3): ECDSA keys on the curves we offer only
  if (keyType === "ec" && c.leaf.curve !== "prime256v1" && c.leaf.curve !== "secp384r1") {
    throw refuse("ERR_TLS_CERT_INVALID", "unsupported_certificate", `the certificate of "${c.leaf.subject.text}" has a key on ${c.leaf.curve}; only P-256 and P-384 are accepted`);
  }
  if (info.kind === "ecdsa") {
    if (keyType !== "ec") throw protocolError("illegal_parameter", `${c.what} uses ${name} but the certificate has a ${keyType} key`);
    if (c.version === "TLSv1.3" && info.curve !== c.leaf.curve) throw protocolError("illegal_parameter", `${c.what} uses ${name} but the certificate's key is on ${c.leaf.curve}`);
  } else if (keyType !== "rsa") {
    throw protocolError("illegal_parameter", `${c.what} uses ${name} but the certificate has a ${keyType} key`);
  }
  if (!c.asym.verify(c.scheme, c.leaf.publicKey, c.data, c.signature)) {
    throw refuse("ERR_TLS_BAD_SIGNATURE", "decrypt_error", `${c.what} (${name}) does not verify with the key of "${c.leaf.subject.text}": the peer does not hold the certificate's private key, or the message was altered`);
  }
}
