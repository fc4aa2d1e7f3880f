// Handshake messages of TLS 1.3 (RFC 8446 §4) and TLS 1.2 (RFC 5246 §7.4, RFC 8422 §5): one
// decode/encode pair per message, strict about lengths and leftovers. Decoding never trusts a length
// field: every vector is bounded by its parent (see codec.ts).
import { DecodeError, Reader, Writer } from "./codec.js";
import { ExtensionType, HandshakeType } from "./constants.js";

export interface Extension {
  type: number;
  data: Uint8Array;
}

/** A handshake message as framed on the wire: msg_type(1) length(3) body. */
export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** The full encoding (header + body), as it enters the transcript hash. */
  raw: Uint8Array;
}

/** Largest handshake message we accept (certificate chains are the big ones). */
export const MAX_HANDSHAKE_MESSAGE = 64 * 1024;

/**
 * Splits a handshake byte stream into messages. Returns complete messages and the number of bytes
 * consumed; an incomplete tail stays for the next call. A length over the limit is a decode error.
 */
export function splitHandshake(buf: Uint8Array, maxLen = MAX_HANDSHAKE_MESSAGE): { messages: HandshakeMessage[]; consumed: number } {
  const messages: HandshakeMessage[] = [];
  let off = 0;
  while (buf.length - off >= 4) {
    const len = (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
    if (len > maxLen) throw new DecodeError(`handshake message of ${len} bytes exceeds the ${maxLen}-byte limit`, "decode_error");
    if (buf.length - off - 4 < len) break;
    const raw = buf.slice(off, off + 4 + len);
    messages.push({ type: raw[0]!, body: raw.subarray(4), raw });
    off += 4 + len;
  }
  return { messages, consumed: off };
}

export function frameHandshake(type: number, body: Uint8Array): Uint8Array {
  return new Writer().u8(type).vecBytes(3, body).finish();
}

// ---- extensions ----

export function readExtensions(r: Reader, field = "extensions", allowMissing = false): Extension[] {
  if (allowMissing && r.remaining === 0) return [];
  const er = r.sub(2, field);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (er.remaining > 0) {
    const type = er.u16("extension_type");
    const data = er.vec(2, "extension_data");
    if (seen.has(type)) throw new DecodeError(`duplicate extension ${type}`, "illegal_parameter");
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

export function writeExtensions(w: Writer, exts: Extension[]): void {
  w.vec(2, (ew) => {
    for (const e of exts) ew.u16(e.type).vecBytes(2, e.data);
  });
}

export function findExtension(exts: Extension[], type: number): Uint8Array | undefined {
  return exts.find((e) => e.type === type)?.data;
}

// ---- ClientHello ----

export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  extensions: Extension[];
}

export function decodeClientHello(body: Uint8Array): ClientHello {
  const r = new Reader(body, "ClientHello");
  const legacyVersion = r.u16("legacy_version");
  const random = r.bytes(32, "random");
  const legacySessionId = r.vec(1, "legacy_session_id", 0, 32);
  const cipherSuites = r.u16List("cipher_suites", 2);
  const compressionMethods = r.vec(1, "legacy_compression_methods", 1);
  // RFC 5246 §7.4.1.2: extensions may be absent entirely in a TLS 1.2 ClientHello.
  const extensions = readExtensions(r, "extensions", true);
  r.end();
  return { legacyVersion, random, legacySessionId, cipherSuites, compressionMethods, extensions };
}

export function encodeClientHello(m: ClientHello): Uint8Array {
  const w = new Writer().u16(m.legacyVersion).bytes(m.random).vecBytes(1, m.legacySessionId);
  w.vec(2, (cw) => m.cipherSuites.forEach((s) => cw.u16(s)));
  w.vecBytes(1, m.compressionMethods);
  writeExtensions(w, m.extensions);
  return frameHandshake(HandshakeType.client_hello, w.finish());
}

// ---- ServerHello (and HelloRetryRequest) ----

export interface ServerHello {
  legacyVersion: number;
  random: Uint8Array;
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

export function decodeServerHello(body: Uint8Array): ServerHello {
  const r = new Reader(body, "ServerHello");
  const legacyVersion = r.u16("legacy_version");
  const random = r.bytes(32, "random");
  const legacySessionIdEcho = r.vec(1, "legacy_session_id_echo", 0, 32);
  const cipherSuite = r.u16("cipher_suite");
  const compressionMethod = r.u8("legacy_compression_method");
  const extensions = readExtensions(r, "extensions", true);
  r.end();
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, compressionMethod, extensions };
}

export function encodeServerHello(m: ServerHello): Uint8Array {
  const w = new Writer().u16(m.legacyVersion).bytes(m.random).vecBytes(1, m.legacySessionIdEcho).u16(m.cipherSuite).u8(m.compressionMethod);
  writeExtensions(w, m.extensions);
  return frameHandshake(HandshakeType.server_hello, w.finish());
}

// ---- EncryptedExtensions ----

export function decodeEncryptedExtensions(body: Uint8Array): Extension[] {
  const r = new Reader(body, "EncryptedExtensions");
  const exts = readExtensions(r);
  r.end();
  return exts;
}

export function encodeEncryptedExtensions(exts: Extension[]): Uint8Array {
  const w = new Writer();
  writeExtensions(w, exts);
  return frameHandshake(HandshakeType.encrypted_extensions, w.finish());
}

// ---- CertificateRequest ----

export interface CertificateRequest13 {
  context: Uint8Array;
  extensions: Extension[];
}

export function decodeCertificateRequest13(body: Uint8Array): CertificateRequest13 {
  const r = new Reader(body, "CertificateRequest");
  const context = r.vec(1, "certificate_request_context");
  const extensions = readExtensions(r);
  r.end();
  if (!findExtension(extensions, ExtensionType.signature_algorithms)) {
    throw new DecodeError("CertificateRequest without signature_algorithms", "missing_extension");
  }
  return { context, extensions };
}

export function encodeCertificateRequest13(m: CertificateRequest13): Uint8Array {
  const w = new Writer().vecBytes(1, m.context);
  writeExtensions(w, m.extensions);
  return frameHandshake(HandshakeType.certificate_request, w.finish());
}

export interface CertificateRequest12 {
  certificateTypes: Uint8Array;
  signatureAlgorithms: number[];
  certificateAuthorities: Uint8Array[];
}

export function decodeCertificateRequest12(body: Uint8Array): CertificateRequest12 {
  const r = new Reader(body, "CertificateRequest");
  const certificateTypes = r.vec(1, "certificate_types", 1);
  const signatureAlgorithms = r.u16List("supported_signature_algorithms", 2);
  const ca = r.sub(2, "certificate_authorities");
  const certificateAuthorities: Uint8Array[] = [];
  while (ca.remaining > 0) certificateAuthorities.push(ca.vec(2, "DistinguishedName", 1));
  r.end();
  return { certificateTypes, signatureAlgorithms, certificateAuthorities };
}

export function encodeCertificateRequest12(m: CertificateRequest12): Uint8Array {
  const w = new Writer().vecBytes(1, m.certificateTypes);
  w.vec(2, (sw) => m.signatureAlgorithms.forEach((s) => sw.u16(s)));
  w.vec(2, (cw) => m.certificateAuthorities.forEach((dn) => cw.vecBytes(2, dn)));
  return frameHandshake(HandshakeType.certificate_request, w.finish());
}

// ---- Certificate ----

export interface CertificateEntry {
  certData: Uint8Array;
  extensions: Extension[];
}

export interface Certificate13 {
  context: Uint8Array;
  entries: CertificateEntry[];
}

export function decodeCertificate13(body: Uint8Array): Certificate13 {
  const r = new Reader(body, "Certificate");
  const context = r.vec(1, "certificate_request_context");
  const list = r.sub(3, "certificate_list");
  const entries: CertificateEntry[] = [];
  while (list.remaining > 0) {
    const certData = list.vec(3, "cert_data", 1);
    const extensions = readExtensions(list, "CertificateEntry.extensions");
    entries.push({ certData, extensions });
  }
  r.end();
  return { context, entries };
}

export function encodeCertificate13(m: Certificate13): Uint8Array {
  const w = new Writer().vecBytes(1, m.context);
  w.vec(3, (lw) => {
    for (const e of m.entries) {
      lw.vecBytes(3, e.certData);
      writeExtensions(lw, e.extensions);
    }
  });
  return frameHandshake(HandshakeType.certificate, w.finish());
}

export function decodeCertificate12(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body, "Certificate");
  const list = r.sub(3, "certificate_list");
  const certs: Uint8Array[] = [];
  while (list.remaining > 0) certs.push(list.vec(3, "ASN.1Cert", 1));
  r.end();
  return certs;
}

export function encodeCertificate12(certs: Uint8Array[]): Uint8Array {
  const w = new Writer().vec(3, (lw) => certs.forEach((c) => lw.vecBytes(3, c)));
  return frameHandshake(HandshakeType.certificate, w.finish());
}

// ---- CertificateVerify (both versions: SignatureAndHashAlgorithm + signature) ----

export interface CertificateVerify {
  algorithm: number;
  signature: Uint8Array;
}

export function decodeCertificateVerify(body: Uint8Array): CertificateVerify {
  const r = new Reader(body, "CertificateVerify");
  const algorithm = r.u16("algorithm");
  const signature = r.vec(2, "signature");
  r.end();
  return { algorithm, signature };
}

export function encodeCertificateVerify(m: CertificateVerify): Uint8Array {
  return frameHandshake(HandshakeType.certificate_verify, new Writer().u16(m.algorithm).vecBytes(2, m.signature).finish());
}

// ---- Finished ----

export function decodeFinished(body: Uint8Array, expectedLength: number): Uint8Array {
  if (body.length !== expectedLength) throw new DecodeError(`Finished of ${body.length} bytes, expected ${expectedLength}`);
  return body;
}

export function encodeFinished(verifyData: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.finished, verifyData);
}

// ---- KeyUpdate (TLS 1.3) ----

export function decodeKeyUpdate(body: Uint8Array): { updateRequested: boolean } {
  const r = new Reader(body, "KeyUpdate");
  const v = r.u8("request_update");
  r.end();
  if (v > 1) throw new DecodeError(`KeyUpdate request_update ${v}`, "illegal_parameter");
  return { updateRequested: v === 1 };
}

export function encodeKeyUpdate(updateRequested: boolean): Uint8Array {
  return frameHandshake(HandshakeType.key_update, Uint8Array.of(updateRequested ? 1 : 0));
}

// ---- NewSessionTicket (TLS 1.3): parsed for validity and otherwise ignored ----

export function decodeNewSessionTicket13(body: Uint8Array): { lifetime: number } {
  const r = new Reader(body, "NewSessionTicket");
  const lifetime = (r.u16("ticket_lifetime") * 65536 + r.u16("ticket_lifetime")) >>> 0;
  r.bytes(4, "ticket_age_add");
  r.vec(1, "ticket_nonce");
  r.vec(2, "ticket", 1);
  readExtensions(r);
  r.end();
  return { lifetime };
}

// ---- TLS 1.2 ECDHE key exchange (RFC 8422 §5.4, §5.7) ----

export interface ServerKeyExchangeEcdhe {
  /** The signed part: curve_type(3) ‖ named_curve ‖ public, as on the wire. */
  params: Uint8Array;
  namedCurve: number;
  publicKey: Uint8Array;
  algorithm: number;
  signature: Uint8Array;
}

export function decodeServerKeyExchangeEcdhe(body: Uint8Array): ServerKeyExchangeEcdhe {
  const r = new Reader(body, "ServerKeyExchange");
  const curveType = r.u8("curve_type");
  if (curveType !== 3) throw new DecodeError(`ServerKeyExchange curve_type ${curveType} (only named_curve)`, "illegal_parameter");
  const namedCurve = r.u16("namedcurve");
  const publicKey = r.vec(1, "public", 1);
  const params = body.subarray(0, 4 + publicKey.length);
  const algorithm = r.u16("algorithm");
  const signature = r.vec(2, "signature", 1);
  r.end();
  return { params, namedCurve, publicKey, algorithm, signature };
}

export function ecdheParams(namedCurve: number, publicKey: Uint8Array): Uint8Array {
  return new Writer().u8(3).u16(namedCurve).vecBytes(1, publicKey).finish();
}

export function encodeServerKeyExchangeEcdhe(params: Uint8Array, algorithm: number, signature: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.server_key_exchange, new Writer().bytes(params).u16(algorithm).vecBytes(2, signature).finish());
}

export function decodeClientKeyExchangeEcdhe(body: Uint8Array): Uint8Array {
  const r = new Reader(body, "ClientKeyExchange");
  const pub = r.vec(1, "ecdh_Yc", 1);
  r.end();
  return pub;
}

export function encodeClientKeyExchangeEcdhe(pub: Uint8Array): Uint8Array {
  return frameHandshake(HandshakeType.client_key_exchange, new Writer().vecBytes(1, pub).finish());
}

export function encodeEmpty(type: number): Uint8Array {
  return frameHandshake(type, new Uint8Array(0));
}

// ---- extension bodies ----

export const ext = {
  /** supported_versions in a ClientHello: a list; in a ServerHello/HRR: one version. */
  supportedVersionsClient(data: Uint8Array): number[] {
    const r = new Reader(data, "supported_versions");
    const l = r.sub(1, "versions", 2);
    const out: number[] = [];
    if (l.remaining % 2) throw new DecodeError("supported_versions has an odd length");
    while (l.remaining) out.push(l.u16());
    r.end();
    return out;
  },
  encodeSupportedVersionsClient(versions: number[]): Uint8Array {
    return new Writer().vec(1, (w) => versions.forEach((v) => w.u16(v))).finish();
  },
  supportedVersionServer(data: Uint8Array): number {
    const r = new Reader(data, "supported_versions");
    const v = r.u16("selected_version");
    r.end();
    return v;
  },
  encodeSupportedVersionServer(v: number): Uint8Array {
    return new Writer().u16(v).finish();
  },
  u16List(data: Uint8Array, what: string): number[] {
    const r = new Reader(data, what);
    const l = r.u16List(what, 2);
    r.end();
    return l;
  },
  encodeU16List(values: number[]): Uint8Array {
    return new Writer().vec(2, (w) => values.forEach((v) => w.u16(v))).finish();
  },
  /** key_share in a ClientHello: KeyShareEntry list. */
  keyShareClient(data: Uint8Array): { group: number; keyExchange: Uint8Array }[] {
    const r = new Reader(data, "key_share");
    const l = r.sub(2, "client_shares");
    const out: { group: number; keyExchange: Uint8Array }[] = [];
    const seen = new Set<number>();
    while (l.remaining) {
      const group = l.u16("group");
      const keyExchange = l.vec(2, "key_exchange", 1);
      if (seen.has(group)) throw new DecodeError(`key_share lists group ${group} twice`, "illegal_parameter");
      seen.add(group);
      out.push({ group, keyExchange });
    }
    r.end();
    return out;
  },
  encodeKeyShareClient(shares: { group: number; keyExchange: Uint8Array }[]): Uint8Array {
    return new Writer().vec(2, (w) => shares.forEach((s) => w.u16(s.group).vecBytes(2, s.keyExchange))).finish();
  },
  /** key_share in a ServerHello: one KeyShareEntry. */
  keyShareServer(data: Uint8Array): { group: number; keyExchange: Uint8Array } {
    const r = new Reader(data, "key_share");
    const group = r.u16("group");
    const keyExchange = r.vec(2, "key_exchange", 1);
    r.end();
    return { group, keyExchange };
  },
  encodeKeyShareServer(s: { group: number; keyExchange: Uint8Array }): Uint8Array {
    return new Writer().u16(s.group).vecBytes(2, s.keyExchange).finish();
  },
  /** key_share in a HelloRetryRequest: the selected group. */
  keyShareHrr(data: Uint8Array): number {
    const r = new Reader(data, "key_share");
    const g = r.u16("selected_group");
    r.end();
    return g;
  },
  encodeKeyShareHrr(group: number): Uint8Array {
    return new Writer().u16(group).finish();
  },
  /** server_name (RFC 6066): the host_name entry, if any. */
  serverName(data: Uint8Array): string | undefined {
    const r = new Reader(data, "server_name");
    const l = r.sub(2, "server_name_list", 1);
    let name: string | undefined;
    while (l.remaining) {
      const t = l.u8("name_type");
      const v = l.vec(2, "name", 1);
      if (t === 0) {
        if (name !== undefined) throw new DecodeError("server_name lists two host names", "illegal_parameter");
        name = Buffer.from(v).toString("latin1");
        if (!/^[A-Za-z0-9.-]+$/.test(name)) throw new DecodeError("server_name host_name is not a DNS name", "illegal_parameter");
      }
    }
    r.end();
    return name;
  },
  encodeServerName(host: string): Uint8Array {
    return new Writer().vec(2, (w) => w.u8(0).vecBytes(2, Buffer.from(host, "latin1"))).finish();
  },
  recordSizeLimit(data: Uint8Array): number {
    const r = new Reader(data, "record_size_limit");
    const v = r.u16("record_size_limit");
    r.end();
    if (v < 64) throw new DecodeError(`record_size_limit ${v} below 64`, "illegal_parameter");
    return v;
  },
  encodeU16(v: number): Uint8Array {
    return new Writer().u16(v).finish();
  },
  renegotiationInfo(data: Uint8Array): Uint8Array {
    const r = new Reader(data, "renegotiation_info");
    const v = r.vec(1, "renegotiated_connection");
    r.end();
    return v;
  },
  encodeRenegotiationInfo(v: Uint8Array): Uint8Array {
    return new Writer().vecBytes(1, v).finish();
  },
  cookie(data: Uint8Array): Uint8Array {
    const r = new Reader(data, "cookie");
    const v = r.vec(2, "cookie", 1);
    r.end();
    return v;
  },
  encodeCookie(v: Uint8Array): Uint8Array {
    return new Writer().vecBytes(2, v).finish();
  },
  ecPointFormats(data: Uint8Array): number[] {
    const r = new Reader(data, "ec_point_formats");
    const v = r.vec(1, "ec_point_format_list", 1);
    r.end();
    return [...v];
  },
};
