// TLS 1.2 client after the ServerHello (RFC 5246 §7.4, RFC 8422 ECDHE, RFC 7627 extended master
// secret, RFC 5746 renegotiation indication): the server's Certificate / ServerKeyExchange /
// CertificateRequest / ServerHelloDone, our Certificate / ClientKeyExchange / CertificateVerify /
// ChangeCipherSpec / Finished, then the server's ChangeCipherSpec / Finished. The master secret,
// key block and Finished values are computed in the core.
import { TlsAlertError } from "../errors.js";
import { Tls12KeySchedule } from "../key-schedule-tls12.js";
import { protocolError, refuse } from "../mtls-errors.js";
import { verifyPeer } from "../verify-peer.js";
import { chosenSuite, deriveShared, type ClientHelloState } from "./client.js";
import { describePeerScheme, readCertificate12, refuseBadFinished } from "./common.js";
import { ExtensionType, HandshakeType, groupName, signatureSchemeName } from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import {
  decodeCertificateRequest12, decodeFinished, decodeServerKeyExchangeEcdhe, encodeCertificate12, encodeCertificateVerify, encodeClientKeyExchangeEcdhe,
  encodeFinished, ext, type ServerHello,
} from "./messages.js";
import { checkPeerSignature, chooseOwnScheme, signWith, tls12KeyExchangeSignedContent } from "./signatures.js";
import { logSecret } from "../keylog.js";

/** ServerHello extensions a TLS 1.2 server may answer with (each only if we offered it). */
const SH12_ALLOWED = new Set<number>([
  ExtensionType.renegotiation_info, ExtensionType.extended_master_secret, ExtensionType.ec_point_formats, ExtensionType.record_size_limit, ExtensionType.server_name,
]);

/** ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5). */
export const CertificateType = { rsa_sign: 1, ecdsa_sign: 64 } as const;

export async function client12(ctx: HandshakeContext, st: ClientHelloState, sh: ServerHello, shRaw: Uint8Array): Promise<HandshakeResult> {
  const { core, channel, policy, credentials } = ctx;
  const rl = channel.rl;
  const suite = chosenSuite(policy.suites12, sh.cipherSuite);
  if (sh.compressionMethod !== 0) throw protocolError("illegal_parameter", "the ServerHello selects a compression method");
  let ems = false;
  let renegotiationInfo = false;
  let peerRecordSizeLimit = 0;
  for (const e of sh.extensions) {
    if (!st.offeredExtensions.has(e.type)) throw protocolError("unsupported_extension", `the ServerHello carries extension ${e.type}, which we did not offer`);
    if (!SH12_ALLOWED.has(e.type)) throw protocolError("illegal_parameter", `extension ${e.type} does not belong in a TLS 1.2 ServerHello`);
    if (e.type === ExtensionType.extended_master_secret) {
      if (e.data.length !== 0) throw protocolError("decode_error", "extended_master_secret must be empty");
      ems = true;
    } else if (e.type === ExtensionType.renegotiation_info) {
      // RFC 5746 §3.4: on an initial handshake renegotiated_connection must be empty
      if (ext.renegotiationInfo(e.data).length !== 0) throw refuse("ERR_TLS_NO_SECURE_RENEGOTIATION", "handshake_failure", "renegotiation_info is not empty on an initial handshake");
      renegotiationInfo = true;
    } else if (e.type === ExtensionType.ec_point_formats) {
      if (!ext.ecPointFormats(e.data).includes(0)) throw protocolError("illegal_parameter", "the server does not accept uncompressed points");
    } else if (e.type === ExtensionType.record_size_limit) {
      peerRecordSizeLimit = ext.recordSizeLimit(e.data);
    } else if (e.type === ExtensionType.server_name && e.data.length !== 0) {
      throw protocolError("decode_error", "a server_name acknowledgement must be empty");
    }
  }
  if (!ems) {
    throw refuse("ERR_TLS_NO_EXTENDED_MASTER_SECRET", "handshake_failure", "the server does not support the extended master secret (RFC 7627), which this gateway requires for TLS 1.2 (update the server, or use TLS 1.3)");
  }
  if (!renegotiationInfo) {
    throw refuse("ERR_TLS_NO_SECURE_RENEGOTIATION", "handshake_failure", "the server does not indicate secure renegotiation (RFC 5746)");
  }

  const log = st.log;
  rl.setVersion("1.2");
  log.select(suite.hash);
  log.add(shRaw);
  const isEcdsaSuite = suite.name.includes("_ECDSA_");

  // the server's flight
  const certMsg = await channel.expect(HandshakeType.certificate);
  const chain = readCertificate12(certMsg.body, "server");
  const peer = verifyPeer({
    chain, trust: credentials.trust, role: "client", profile: policy.profile, expectedName: ctx.servername!, now: ctx.now(), buildDate: ctx.buildDate, beforeClockSet: ctx.beforeClockSet,
  });
  const leaf = peer.path[0]!;
  if ((leaf.keyType === "ec") !== isEcdsaSuite) throw protocolError("illegal_parameter", `the server chose ${suite.name} but its certificate has a ${leaf.keyType} key`);
  log.add(certMsg.raw);

  const skeMsg = await channel.expect(HandshakeType.server_key_exchange);
  const ske = decodeServerKeyExchangeEcdhe(skeMsg.body);
  if (!policy.groups.includes(ske.namedCurve)) throw protocolError("illegal_parameter", `the server chose group ${groupName(ske.namedCurve)}, which we did not offer`);
  checkPeerSignature({
    asym: ctx.asym, scheme: ske.algorithm, offered: policy.schemes, leaf, data: tls12KeyExchangeSignedContent(st.clientRandom, sh.random, ske.params),
    signature: ske.signature, version: "TLSv1.2", what: "the server's ServerKeyExchange signature",
  });
  log.add(skeMsg.raw);

  let next = await channel.expect(HandshakeType.certificate_request, HandshakeType.server_hello_done);
  let request: { types: Uint8Array; schemes: number[] } | undefined;
  if (next.type === HandshakeType.certificate_request) {
    const cr = decodeCertificateRequest12(next.body);
    request = { types: cr.certificateTypes, schemes: cr.signatureAlgorithms };
    log.add(next.raw);
    next = await channel.expect(HandshakeType.server_hello_done);
  }
  if (next.body.length !== 0) throw protocolError("decode_error", "ServerHelloDone is not empty");
  log.add(next.raw);

  // our flight
  const share = ctx.asym.generateKeyShare(ske.namedCurve);
  let pms: Uint8Array | undefined;
  let ks: Tls12KeySchedule | undefined;
  try {
    let sendChain: Uint8Array[] = [];
    if (request) {
      const ourType = credentials.signer.algorithm === "rsa" ? CertificateType.rsa_sign : CertificateType.ecdsa_sign;
      // RFC 5246 §7.4.6: a certificate of a type the server did not ask for is not sent
      if (request.types.includes(ourType)) sendChain = credentials.chain;
      const cert = encodeCertificate12(sendChain);
      log.add(cert);
      channel.send(cert);
    }
    pms = deriveShared(share, ske.publicKey);
    const cke = encodeClientKeyExchangeEcdhe(share.publicKey);
    log.add(cke);
    channel.send(cke);
    ks = Tls12KeySchedule.fromExtendedMasterSecret(core, { hash: suite.hash, preMasterSecret: pms, transcript: log.tx, clientRandom: st.clientRandom, serverRandom: sh.random });
    logSecret(ctx.keylog, "CLIENT_RANDOM", st.clientRandom, ks.masterSecret);
    pms.fill(0);
    let ourScheme = 0;
    if (sendChain.length > 0) {
      const scheme = chooseOwnScheme(request!.schemes, credentials.signer, policy, "TLSv1.2");
      if (scheme === undefined) {
        throw refuse("ERR_TLS_NO_SHARED_SIGNATURE", "handshake_failure", `the server accepts none of the signature schemes our ${credentials.signer.algorithm} key can make (${credentials.signer.schemes.join(", ")})`);
      }
      const signature = await signWith(credentials.signer, scheme, log.raw());
      const cv = encodeCertificateVerify({ algorithm: scheme, signature });
      log.add(cv);
      channel.send(cv);
      ourScheme = scheme;
    }
    log.dropRaw();
    channel.sendChangeCipherSpec();
    rl.installTls12("write", suite, ks, "client");
    if (peerRecordSizeLimit) rl.setRecordSizeLimit("write", peerRecordSizeLimit);
    const fin = encodeFinished(ks.finished("client", log.tx));
    log.add(fin);
    channel.send(fin);
    channel.flush();

    await channel.readChangeCipherSpec();
    rl.installTls12("read", suite, ks, "server");
    const finMsg = await channel.expect(HandshakeType.finished);
    const verifyData = decodeFinished(finMsg.body, 12);
    try {
      ks.verifyFinished("server", log.tx, verifyData);
    } catch (e) {
      if (e instanceof TlsAlertError) throw refuseBadFinished("server", e);
      throw e;
    }
    return {
      version: "TLSv1.2",
      suite,
      group: groupName(ske.namedCurve),
      peerPath: peer.path,
      warnings: peer.warnings,
      peerSignatureScheme: describePeerScheme(ske.algorithm),
      signatureScheme: ourScheme ? signatureSchemeName(ourScheme) : "",
      peerRecordSizeLimit,
      helloRetryRequest: false,
      secureRenegotiation: true,
    };
  } finally {
    share.destroy();
    pms?.fill(0);
    ks?.destroy();
  }
}
