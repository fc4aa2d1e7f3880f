// TLS 1.3 client after the ServerHello (RFC 8446 §4.1.3, §4.3, §4.4): handshake keys, the server's
// EncryptedExtensions / CertificateRequest / Certificate / CertificateVerify / Finished, then our
// Certificate / CertificateVerify / Finished and the application traffic keys. Every key and
// secret is derived and used inside the core; the host holds handles.
import { HASH_LENGTH } from "../record-suites.js";
import { Tls13KeySchedule, tls13Finished, tls13VerifyFinished } from "../key-schedule-tls13.js";
import type { TlsSecret } from "../key-schedule-secret.js";
import { TlsAlertError } from "../errors.js";
import { protocolError, refuse } from "../mtls-errors.js";
import { describePeerScheme, readCertificate13, refuseBadFinished } from "./common.js";
import { ExtensionType, HandshakeType, groupName, signatureSchemeName } from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import {
  decodeCertificateRequest13, decodeCertificateVerify, decodeEncryptedExtensions, decodeFinished, encodeCertificate13, encodeCertificateVerify,
  encodeFinished, ext, findExtension, type ServerHello,
} from "./messages.js";
import { checkPeerSignature, chooseOwnScheme, signWith, tls13SignedContent } from "./signatures.js";
import { chosenSuite, deriveShared, type ClientHelloState } from "./client.js";
import { verifyPeer } from "../verify-peer.js";
import { logSecret } from "../keylog.js";

/** Extensions a server may put in EncryptedExtensions (RFC 8446 §4.2 table) that we may have offered. */
const EE_ALLOWED = new Set<number>([ExtensionType.server_name, ExtensionType.supported_groups, ExtensionType.record_size_limit]);
const SH_ALLOWED = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share]);

export async function client13(ctx: HandshakeContext, st: ClientHelloState, sh: ServerHello, shRaw: Uint8Array): Promise<HandshakeResult> {
  const { core, channel, policy, credentials } = ctx;
  const rl = channel.rl;
  const suite = chosenSuite(policy.suites13, sh.cipherSuite);
  if (st.hrrSuite && st.hrrSuite.id !== suite.id) throw protocolError("illegal_parameter", "the ServerHello's cipher suite differs from the HelloRetryRequest's");
  if (!Buffer.from(sh.legacySessionIdEcho).equals(Buffer.from(st.sessionId))) throw protocolError("illegal_parameter", "the ServerHello does not echo our legacy_session_id");
  if (sh.compressionMethod !== 0) throw protocolError("illegal_parameter", "the ServerHello selects a compression method");
  for (const e of sh.extensions) {
    if (!SH_ALLOWED.has(e.type)) throw protocolError(st.offeredExtensions.has(e.type) ? "illegal_parameter" : "unsupported_extension", `TLS 1.3 ServerHello carries extension ${e.type}`);
  }
  const ksData = findExtension(sh.extensions, ExtensionType.key_share);
  if (!ksData) throw protocolError("missing_extension", "TLS 1.3 ServerHello without key_share (we offered no PSK)");
  const serverShare = ext.keyShareServer(ksData);
  const share = st.share!;
  if (serverShare.group !== share.group) throw protocolError("illegal_parameter", `the server's key share is for ${groupName(serverShare.group)}, ours for ${groupName(share.group)}`);
  const shared = deriveShared(share, serverShare.keyExchange);

  const log = st.log;
  log.select(suite.hash);
  log.add(shRaw);
  log.dropRaw();
  rl.setVersion("1.3");
  rl.allowCompatibilityChangeCipherSpec(true);

  const secrets: TlsSecret[] = [];
  const ks = Tls13KeySchedule.create(core, suite.hash);
  try {
    ks.deriveHandshakeSecret(shared);
    shared.fill(0);
    const chts = ks.deriveSecret("c hs traffic", log.tx);
    const shts = ks.deriveSecret("s hs traffic", log.tx);
    secrets.push(chts, shts);
    logSecret(ctx.keylog, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", st.clientRandom, chts);
    logSecret(ctx.keylog, "SERVER_HANDSHAKE_TRAFFIC_SECRET", st.clientRandom, shts);
    channel.atKeyChange("ServerHello");
    rl.installTls13("read", suite, shts);
    rl.installTls13("write", suite, chts);

    // EncryptedExtensions
    const eeMsg = await channel.expect(HandshakeType.encrypted_extensions);
    let peerRecordSizeLimit = 0;
    for (const e of decodeEncryptedExtensions(eeMsg.body)) {
      if (!st.offeredExtensions.has(e.type)) throw protocolError("unsupported_extension", `EncryptedExtensions carries extension ${e.type}, which we did not offer`);
      if (!EE_ALLOWED.has(e.type)) throw protocolError("illegal_parameter", `extension ${e.type} does not belong in EncryptedExtensions`);
      if (e.type === ExtensionType.server_name && e.data.length !== 0) throw protocolError("decode_error", "a server_name acknowledgement must be empty");
      if (e.type === ExtensionType.supported_groups) ext.u16List(e.data, "supported_groups");
      if (e.type === ExtensionType.record_size_limit) peerRecordSizeLimit = ext.recordSizeLimit(e.data);
    }
    if (peerRecordSizeLimit) rl.setRecordSizeLimit("write", peerRecordSizeLimit);
    log.add(eeMsg.raw);

    // CertificateRequest (the Mediation Server always asks: mutual TLS) and Certificate
    let next = await channel.expect(HandshakeType.certificate_request, HandshakeType.certificate);
    let requestContext: Uint8Array | undefined;
    let requestedSchemes: number[] = [];
    if (next.type === HandshakeType.certificate_request) {
      const cr = decodeCertificateRequest13(next.body);
      if (cr.context.length !== 0) throw protocolError("illegal_parameter", "a CertificateRequest in the handshake must have an empty context");
      requestContext = cr.context;
      requestedSchemes = ext.u16List(findExtension(cr.extensions, ExtensionType.signature_algorithms)!, "signature_algorithms");
      log.add(next.raw);
      next = await channel.expect(HandshakeType.certificate);
    }
    const chain = readCertificate13(next.body, "server", new Uint8Array(0));
    const peer = verifyPeer({
      chain, trust: credentials.trust, role: "client", profile: policy.profile, expectedName: ctx.servername!, now: ctx.now(), buildDate: ctx.buildDate, beforeClockSet: ctx.beforeClockSet,
    });
    log.add(next.raw);

    const cvMsg = await channel.expect(HandshakeType.certificate_verify);
    const cv = decodeCertificateVerify(cvMsg.body);
    checkPeerSignature({
      asym: ctx.asym, scheme: cv.algorithm, offered: policy.schemes, leaf: peer.path[0]!, data: tls13SignedContent("server", log.hash()),
      signature: cv.signature, version: "TLSv1.3", what: "the server's CertificateVerify",
    });
    log.add(cvMsg.raw);

    const finMsg = await channel.expect(HandshakeType.finished);
    const verifyData = decodeFinished(finMsg.body, HASH_LENGTH[suite.hash]);
    try {
      tls13VerifyFinished(core, suite.hash, shts, log.tx, verifyData);
    } catch (e) {
      if (e instanceof TlsAlertError) throw refuseBadFinished("server", e);
      throw e;
    }
    log.add(finMsg.raw);
    channel.atKeyChange("the server's Finished");

    ks.deriveMasterSecret();
    const sats = ks.deriveSecret("s ap traffic", log.tx);
    const cats = ks.deriveSecret("c ap traffic", log.tx);
    secrets.push(sats, cats);
    logSecret(ctx.keylog, "CLIENT_TRAFFIC_SECRET_0", st.clientRandom, cats);
    logSecret(ctx.keylog, "SERVER_TRAFFIC_SECRET_0", st.clientRandom, sats);
    rl.installTls13("read", suite, sats);
    rl.allowCompatibilityChangeCipherSpec(false);

    // our second flight
    if (!st.sentCompatCcs) channel.sendChangeCipherSpec();
    let ourScheme = 0;
    if (requestContext !== undefined) {
      const cert = encodeCertificate13({ context: requestContext, entries: credentials.chain.map((certData) => ({ certData, extensions: [] })) });
      log.add(cert);
      channel.send(cert);
      const scheme = chooseOwnScheme(requestedSchemes, credentials.signer, policy, "TLSv1.3");
      if (scheme === undefined) {
        throw refuse("ERR_TLS_NO_SHARED_SIGNATURE", "handshake_failure", `the server accepts none of the signature schemes our ${credentials.signer.algorithm} key can make (${credentials.signer.schemes.join(", ")})`);
      }
      const signature = await signWith(credentials.signer, scheme, tls13SignedContent("client", log.hash()));
      const ourCv = encodeCertificateVerify({ algorithm: scheme, signature });
      log.add(ourCv);
      channel.send(ourCv);
      ourScheme = scheme;
    }
    const fin = encodeFinished(tls13Finished(core, suite.hash, chts, log.tx));
    log.add(fin);
    channel.send(fin);
    rl.installTls13("write", suite, cats);
    channel.flush();

    return {
      version: "TLSv1.3",
      suite,
      group: groupName(share.group),
      peerPath: peer.path,
      warnings: peer.warnings,
      peerSignatureScheme: describePeerScheme(cv.algorithm),
      signatureScheme: ourScheme ? signatureSchemeName(ourScheme) : "",
      peerRecordSizeLimit,
      helloRetryRequest: st.hrrSuite !== undefined,
      secureRenegotiation: true,
    };
  } finally {
    for (const s of secrets) s.destroy();
    ks.destroy();
    shared.fill(0);
  }
}
