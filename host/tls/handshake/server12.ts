// TLS 1.2 server (RFC 5246 §7.4, RFC 8422 ECDHE, RFC 7627 extended master secret — required —,
// RFC 5746 renegotiation indication): ServerHello (with the TLS 1.3 downgrade sentinel when we also
// speak 1.3) / Certificate / ServerKeyExchange / CertificateRequest / ServerHelloDone; the client's
// Certificate / ClientKeyExchange / CertificateVerify / ChangeCipherSpec / Finished; then ours.
import { randomBytes } from "node:crypto";
import { parseCertificate } from "../../certs/x509.js";
import { TlsAlertError } from "../errors.js";
import { Tls12KeySchedule } from "../key-schedule-tls12.js";
import { protocolError, refuse } from "../mtls-errors.js";
import { verifyPeer } from "../verify-peer.js";
import { deriveShared } from "./client.js";
import { CertificateType } from "./client12.js";
import { describePeerScheme, readCertificate12, refuseBadFinished } from "./common.js";
import { CipherSuite, DOWNGRADE_TLS12, ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, groupName, signatureSchemeName } from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import {
  decodeCertificateVerify, decodeClientKeyExchangeEcdhe, decodeFinished, ecdheParams, encodeCertificate12, encodeCertificateRequest12, encodeEmpty,
  encodeFinished, encodeServerHello, encodeServerKeyExchangeEcdhe, ext, findExtension, type ClientHello, type Extension,
} from "./messages.js";
import { clientServerName } from "./server.js";
import { checkPeerSignature, chooseOwnScheme, signWith, tls12KeyExchangeSignedContent } from "./signatures.js";
import { TranscriptLog } from "./transcript-log.js";
import { logSecret } from "../keylog.js";

/** At most this many bytes of CA names in a CertificateRequest (a hint for the client's certificate choice). */
const MAX_CA_NAMES_BYTES = 8192;

function caNames(anchors: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let total = 0;
  for (const a of anchors) {
    try {
      const dn = parseCertificate(a).subject.der;
      if (total + dn.length + 2 > MAX_CA_NAMES_BYTES) break;
      out.push(dn);
      total += dn.length + 2;
    } catch {
      /* an unreadable anchor names nothing */
    }
  }
  return out;
}

export async function server12(ctx: HandshakeContext, ch: ClientHello, chRaw: Uint8Array): Promise<HandshakeResult> {
  const { core, channel, policy, credentials } = ctx;
  const rl = channel.rl;
  const { signer } = credentials;

  // --- what the ClientHello allows ---
  const emsData = findExtension(ch.extensions, ExtensionType.extended_master_secret);
  if (emsData === undefined) {
    throw refuse("ERR_TLS_NO_EXTENDED_MASTER_SECRET", "handshake_failure", "the client does not offer the extended master secret (RFC 7627), which this gateway requires for TLS 1.2 (update the client, or use TLS 1.3)");
  }
  if (emsData.length !== 0) throw protocolError("decode_error", "extended_master_secret must be empty");
  const riData = findExtension(ch.extensions, ExtensionType.renegotiation_info);
  if (riData !== undefined && ext.renegotiationInfo(riData).length !== 0) {
    throw refuse("ERR_TLS_NO_SECURE_RENEGOTIATION", "handshake_failure", "renegotiation_info is not empty on an initial handshake (RFC 5746 §3.6)");
  }
  const secureRenegotiation = riData !== undefined || ch.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const pf = findExtension(ch.extensions, ExtensionType.ec_point_formats);
  if (pf !== undefined && !ext.ecPointFormats(pf).includes(0)) throw protocolError("illegal_parameter", "the client does not accept uncompressed points");
  const sg = findExtension(ch.extensions, ExtensionType.supported_groups);
  // RFC 8422 §4: without supported_groups the client is taken to support P-256
  const clientGroups = sg ? ext.u16List(sg, "supported_groups") : [NamedGroup.secp256r1];
  // the client's order (RFC 8422 leaves the choice to the server; OpenSSL also follows the client)
  const group = clientGroups.find((g) => policy.groups.includes(g));
  const wantEcdsa = signer.algorithm !== "rsa";
  // RFC 8422 §5.1: an ECDSA certificate's curve must be one the client listed
  const ourCurve = signer.algorithm === "ecdsa-p256" ? NamedGroup.secp256r1 : signer.algorithm === "ecdsa-p384" ? NamedGroup.secp384r1 : undefined;
  if (ourCurve !== undefined && !clientGroups.includes(ourCurve)) {
    throw refuse("ERR_TLS_NO_SHARED_SUITE", "handshake_failure", `the client cannot verify our ECDSA ${groupName(ourCurve)} certificate in TLS 1.2: its supported_groups (${clientGroups.map(groupName).join(", ")}) leave that curve out`);
  }
  const suite = policy.suites12.find((s) => s.name.includes("_ECDSA_") === wantEcdsa && ch.cipherSuites.includes(s.id));
  if (!suite) {
    throw refuse(
      "ERR_TLS_NO_SHARED_SUITE",
      "handshake_failure",
      `the client offers no TLS 1.2 cipher suite we accept for our ${wantEcdsa ? "ECDSA" : "RSA"} certificate (${policy.suites12.filter((s) => s.name.includes("_ECDSA_") === wantEcdsa).map((s) => s.name).join(", ")}): CBC, static-RSA, 3DES and RC4 suites are refused`,
    );
  }
  if (group === undefined) {
    throw refuse("ERR_TLS_NO_SHARED_GROUP", "handshake_failure", `the client supports no key-exchange group we accept (${policy.groups.map(groupName).join(", ")})`);
  }
  const sa = findExtension(ch.extensions, ExtensionType.signature_algorithms);
  // RFC 5246 §7.4.1.4.1: without the extension the client accepts SHA-1 only, which we never use
  const scheme = sa ? chooseOwnScheme(ext.u16List(sa, "signature_algorithms"), signer, policy, "TLSv1.2") : undefined;
  if (scheme === undefined) {
    throw refuse("ERR_TLS_NO_SHARED_SIGNATURE", "handshake_failure", `the client accepts none of the signature schemes our ${signer.algorithm} key can make (${signer.schemes.join(", ")}); SHA-1 and MD5 are refused`);
  }
  const rslData = findExtension(ch.extensions, ExtensionType.record_size_limit);
  const peerRecordSizeLimit = rslData ? ext.recordSizeLimit(rslData) : 0;

  rl.setVersion("1.2");
  const log = new TranscriptLog(core);
  const share = ctx.asym.generateKeyShare(group);
  let pms: Uint8Array | undefined;
  let ks: Tls12KeySchedule | undefined;
  try {
    log.select(suite.hash);
    log.add(chRaw);
    const clientRandom = ch.random;
    // RFC 8446 §4.1.3: a server that speaks TLS 1.3 but negotiates 1.2 marks its random
    const serverRandom = new Uint8Array(randomBytes(32));
    if (policy.versions.includes("TLSv1.3")) serverRandom.set(DOWNGRADE_TLS12, 24);

    const shExts: Extension[] = [];
    if (secureRenegotiation) shExts.push({ type: ExtensionType.renegotiation_info, data: ext.encodeRenegotiationInfo(new Uint8Array(0)) });
    shExts.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
    if (pf !== undefined) shExts.push({ type: ExtensionType.ec_point_formats, data: Uint8Array.of(1, 0) });
    if (peerRecordSizeLimit && ctx.recordSizeLimit) shExts.push({ type: ExtensionType.record_size_limit, data: ext.encodeU16(ctx.recordSizeLimit) });
    const sh = encodeServerHello({ legacyVersion: ProtocolVersion.TLS12, random: serverRandom, legacySessionIdEcho: new Uint8Array(0), cipherSuite: suite.id, compressionMethod: 0, extensions: shExts });
    const cert = encodeCertificate12(credentials.chain);
    const params = ecdheParams(group, share.publicKey);
    const signature = await signWith(signer, scheme, tls12KeyExchangeSignedContent(clientRandom, serverRandom, params));
    const ske = encodeServerKeyExchangeEcdhe(params, scheme, signature);
    const cr = encodeCertificateRequest12({
      certificateTypes: Uint8Array.of(CertificateType.rsa_sign, CertificateType.ecdsa_sign),
      signatureAlgorithms: [...policy.schemes],
      certificateAuthorities: caNames(credentials.trust.anchors),
    });
    const shd = encodeEmpty(HandshakeType.server_hello_done);
    for (const m of [sh, cert, ske, cr, shd]) {
      log.add(m);
      channel.send(m);
    }
    channel.flush();

    // the client's flight
    const certMsg = await channel.expect(HandshakeType.certificate);
    const chain = readCertificate12(certMsg.body, "client");
    const peer = verifyPeer({
      chain, trust: credentials.trust, role: "server", profile: policy.profile, ...(ctx.anyTrustedPeer ? {} : { allowedPeers: ctx.allowedPeers ?? [] }), now: ctx.now(), buildDate: ctx.buildDate, beforeClockSet: ctx.beforeClockSet,
    });
    log.add(certMsg.raw);
    const ckeMsg = await channel.expect(HandshakeType.client_key_exchange);
    pms = deriveShared(share, decodeClientKeyExchangeEcdhe(ckeMsg.body));
    log.add(ckeMsg.raw);
    ks = Tls12KeySchedule.fromExtendedMasterSecret(core, { hash: suite.hash, preMasterSecret: pms, transcript: log.tx, clientRandom, serverRandom });
    logSecret(ctx.keylog, "CLIENT_RANDOM", clientRandom, ks.masterSecret);
    pms.fill(0);
    const cvMsg = await channel.expect(HandshakeType.certificate_verify);
    const ccv = decodeCertificateVerify(cvMsg.body);
    checkPeerSignature({
      asym: ctx.asym, scheme: ccv.algorithm, offered: policy.schemes, leaf: peer.path[0]!, data: log.raw(), signature: ccv.signature, version: "TLSv1.2",
      what: "the client's CertificateVerify",
    });
    log.add(cvMsg.raw);
    log.dropRaw();
    await channel.readChangeCipherSpec();
    rl.installTls12("read", suite, ks, "client");
    const finMsg = await channel.expect(HandshakeType.finished);
    const verifyData = decodeFinished(finMsg.body, 12);
    try {
      ks.verifyFinished("client", log.tx, verifyData);
    } catch (e) {
      if (e instanceof TlsAlertError) throw refuseBadFinished("client", e);
      throw e;
    }
    log.add(finMsg.raw);

    channel.sendChangeCipherSpec();
    rl.installTls12("write", suite, ks, "server");
    if (peerRecordSizeLimit) rl.setRecordSizeLimit("write", peerRecordSizeLimit);
    channel.send(encodeFinished(ks.finished("server", log.tx)));
    channel.flush();
    const serverName = clientServerName(ch);
    return {
      version: "TLSv1.2",
      suite,
      group: groupName(group),
      peerPath: peer.path,
      warnings: peer.warnings,
      peerSignatureScheme: describePeerScheme(ccv.algorithm),
      signatureScheme: signatureSchemeName(scheme),
      ...(serverName !== undefined ? { serverName } : {}),
      peerRecordSizeLimit,
      helloRetryRequest: false,
      secureRenegotiation,
    };
  } finally {
    share.destroy();
    pms?.fill(0);
    ks?.destroy();
    log.destroy();
  }
}
