// TLS 1.3 server (RFC 8446 §4): picks the suite, group (HelloRetryRequest when the client sent no
// usable key share) and signature scheme; sends ServerHello / EncryptedExtensions /
// CertificateRequest / Certificate / CertificateVerify / Finished; requires and verifies the
// client's Certificate / CertificateVerify / Finished. Keys and secrets stay in the core.
import { randomBytes } from "node:crypto";
import { TlsAlertError } from "../errors.js";
import { Tls13KeySchedule, tls13Finished, tls13VerifyFinished } from "../key-schedule-tls13.js";
import type { TlsSecret } from "../key-schedule-secret.js";
import { protocolError, refuse } from "../mtls-errors.js";
import { HASH_LENGTH, type TlsCipherSuite } from "../record-suites.js";
import { verifyPeer } from "../verify-peer.js";
import { deriveShared } from "./client.js";
import { describePeerScheme, readCertificate13, refuseBadFinished } from "./common.js";
import { ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeType, ProtocolVersion, groupName, signatureSchemeName } from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import {
  decodeCertificateVerify, decodeClientHello, decodeFinished, encodeCertificate13, encodeCertificateRequest13, encodeCertificateVerify,
  encodeEncryptedExtensions, encodeFinished, encodeServerHello, ext, findExtension, type ClientHello, type Extension,
} from "./messages.js";
import { clientServerName } from "./server.js";
import { checkPeerSignature, chooseOwnScheme, signWith, tls13SignedContent } from "./signatures.js";
import { TranscriptLog } from "./transcript-log.js";
import { logSecret } from "../keylog.js";

interface Offer {
  suite: TlsCipherSuite;
  scheme: number;
  groups: number[];
  shares: { group: number; keyExchange: Uint8Array }[];
}

/** What this ClientHello lets us choose; refusals name what was missing. */
function readOffer(ctx: HandshakeContext, ch: ClientHello): Offer {
  const { policy, credentials } = ctx;
  const suite = policy.suites13.find((s) => ch.cipherSuites.includes(s.id));
  if (!suite) throw refuse("ERR_TLS_NO_SHARED_SUITE", "handshake_failure", `the client offers no TLS 1.3 cipher suite we accept (${policy.suites13.map((s) => s.name).join(", ")})`);
  const sa = findExtension(ch.extensions, ExtensionType.signature_algorithms);
  if (!sa) throw protocolError("missing_extension", "TLS 1.3 ClientHello without signature_algorithms");
  const scheme = chooseOwnScheme(ext.u16List(sa, "signature_algorithms"), credentials.signer, policy, "TLSv1.3");
  if (scheme === undefined) {
    throw refuse("ERR_TLS_NO_SHARED_SIGNATURE", "handshake_failure", `the client accepts none of the signature schemes our ${credentials.signer.algorithm} key can make in TLS 1.3 (${credentials.signer.schemes.join(", ")})`);
  }
  const sg = findExtension(ch.extensions, ExtensionType.supported_groups);
  const ksd = findExtension(ch.extensions, ExtensionType.key_share);
  // RFC 8446 §9.2: with no PSK offered, both are mandatory
  if (!sg) throw protocolError("missing_extension", "TLS 1.3 ClientHello without supported_groups");
  if (!ksd) throw protocolError("missing_extension", "TLS 1.3 ClientHello without key_share");
  const groups = ext.u16List(sg, "supported_groups");
  const shares = ext.keyShareClient(ksd);
  for (const s of shares) if (!groups.includes(s.group)) throw protocolError("illegal_parameter", `key share for group ${groupName(s.group)}, which supported_groups does not list`);
  return { suite, scheme, groups, shares };
}

export async function server13(ctx: HandshakeContext, ch1: ClientHello, ch1Raw: Uint8Array): Promise<HandshakeResult> {
  const { core, channel, policy, credentials } = ctx;
  const rl = channel.rl;
  rl.setVersion("1.3");
  rl.allowCompatibilityChangeCipherSpec(true);
  const log = new TranscriptLog(core);
  log.dropRaw();
  const secrets: TlsSecret[] = [];
  let ks: Tls13KeySchedule | undefined;
  let shared: Uint8Array | undefined;
  const share = { current: undefined as ReturnType<typeof ctx.asym.generateKeyShare> | undefined };
  try {
    let ch = ch1;
    let offer = readOffer(ctx, ch);
    const { suite, scheme } = offer;
    log.select(suite.hash);
    log.add(ch1Raw);
    const compat = ch.legacySessionId.length > 0;
    let sentCcs = false;
    let sentHrr = false;

    let group = policy.groups.find((g) => offer.shares.some((s) => s.group === g));
    if (group === undefined) {
      // HelloRetryRequest (RFC 8446 §4.1.4): ask for a share of the client's preferred group that we accept
      const want = offer.groups.find((g) => policy.groups.includes(g));
      if (want === undefined) {
        throw refuse("ERR_TLS_NO_SHARED_GROUP", "handshake_failure", `the client supports no key-exchange group we accept (${policy.groups.map(groupName).join(", ")}${policy.fips ? "; FIPS mode excludes x25519" : ""})`);
      }
      log.helloRetryRequest();
      sentHrr = true;
      const hrr = encodeServerHello({
        legacyVersion: ProtocolVersion.TLS12, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.id, compressionMethod: 0,
        extensions: [
          { type: ExtensionType.supported_versions, data: ext.encodeSupportedVersionServer(ProtocolVersion.TLS13) },
          { type: ExtensionType.key_share, data: ext.encodeKeyShareHrr(want) },
        ],
      });
      log.add(hrr);
      channel.send(hrr);
      if (compat) {
        channel.sendChangeCipherSpec();
        sentCcs = true;
      }
      channel.flush();
      const ch2Msg = await channel.expect(HandshakeType.client_hello);
      const ch2 = decodeClientHello(ch2Msg.body);
      // RFC 8446 §4.1.2: the second ClientHello repeats the first but for the key share (and cookie, PSK, padding)
      if (!Buffer.from(ch2.random).equals(Buffer.from(ch.random)) || !Buffer.from(ch2.legacySessionId).equals(Buffer.from(ch.legacySessionId))) {
        throw protocolError("illegal_parameter", "the second ClientHello changed its random or legacy_session_id");
      }
      const sv = findExtension(ch2.extensions, ExtensionType.supported_versions);
      if (!sv || !ext.supportedVersionsClient(sv).includes(ProtocolVersion.TLS13)) throw protocolError("illegal_parameter", "the second ClientHello no longer offers TLS 1.3");
      offer = readOffer(ctx, ch2);
      if (offer.suite.id !== suite.id) throw protocolError("illegal_parameter", "the second ClientHello no longer offers the cipher suite of the HelloRetryRequest");
      if (offer.shares.length !== 1 || offer.shares[0]!.group !== want) throw protocolError("illegal_parameter", `the second ClientHello must carry exactly one key share, for ${groupName(want)}`);
      log.add(ch2Msg.raw);
      ch = ch2;
      group = want;
    }
    const clientShare = offer.shares.find((s) => s.group === group)!;
    share.current = ctx.asym.generateKeyShare(group);
    shared = deriveShared(share.current, clientShare.keyExchange);

    const sh = encodeServerHello({
      legacyVersion: ProtocolVersion.TLS12, random: new Uint8Array(randomBytes(32)), legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.id, compressionMethod: 0,
      extensions: [
        { type: ExtensionType.supported_versions, data: ext.encodeSupportedVersionServer(ProtocolVersion.TLS13) },
        { type: ExtensionType.key_share, data: ext.encodeKeyShareServer({ group, keyExchange: share.current.publicKey }) },
      ],
    });
    log.add(sh);
    channel.send(sh);
    if (compat && !sentCcs) channel.sendChangeCipherSpec();

    ks = Tls13KeySchedule.create(core, suite.hash);
    ks.deriveHandshakeSecret(shared);
    shared.fill(0);
    const chts = ks.deriveSecret("c hs traffic", log.tx);
    const shts = ks.deriveSecret("s hs traffic", log.tx);
    logSecret(ctx.keylog, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", ch.random, chts);
    logSecret(ctx.keylog, "SERVER_HANDSHAKE_TRAFFIC_SECRET", ch.random, shts);
    secrets.push(chts, shts);
    channel.atKeyChange("ClientHello");
    rl.installTls13("write", suite, shts);
    rl.installTls13("read", suite, chts);

    const rslData = findExtension(ch.extensions, ExtensionType.record_size_limit);
    const peerRecordSizeLimit = rslData ? ext.recordSizeLimit(rslData) : 0;
    if (peerRecordSizeLimit) rl.setRecordSizeLimit("write", peerRecordSizeLimit);
    const eeExts: Extension[] = [];
    if (peerRecordSizeLimit && ctx.recordSizeLimit) eeExts.push({ type: ExtensionType.record_size_limit, data: ext.encodeU16(ctx.recordSizeLimit) });
    const ee = encodeEncryptedExtensions(eeExts);
    const cr = encodeCertificateRequest13({ context: new Uint8Array(0), extensions: [{ type: ExtensionType.signature_algorithms, data: ext.encodeU16List([...policy.schemes]) }] });
    const cert = encodeCertificate13({ context: new Uint8Array(0), entries: credentials.chain.map((certData) => ({ certData, extensions: [] })) });
    log.add(ee, cr, cert);
    channel.send(ee);
    channel.send(cr);
    channel.send(cert);
    const signature = await signWith(credentials.signer, scheme, tls13SignedContent("server", log.hash()));
    const cv = encodeCertificateVerify({ algorithm: scheme, signature });
    log.add(cv);
    channel.send(cv);
    const fin = encodeFinished(tls13Finished(core, suite.hash, shts, log.tx));
    log.add(fin);
    channel.send(fin);
    ks.deriveMasterSecret();
    const sats = ks.deriveSecret("s ap traffic", log.tx);
    const cats = ks.deriveSecret("c ap traffic", log.tx);
    logSecret(ctx.keylog, "CLIENT_TRAFFIC_SECRET_0", ch.random, cats);
    logSecret(ctx.keylog, "SERVER_TRAFFIC_SECRET_0", ch.random, sats);
    secrets.push(sats, cats);
    rl.installTls13("write", suite, sats);
    channel.flush();

    // the client's second flight
    const certMsg = await channel.expect(HandshakeType.certificate);
    const chain = readCertificate13(certMsg.body, "client", new Uint8Array(0));
    const peer = verifyPeer({
      chain, trust: credentials.trust, role: "server", profile: policy.profile, ...(ctx.anyTrustedPeer ? {} : { allowedPeers: ctx.allowedPeers ?? [] }), now: ctx.now(), buildDate: ctx.buildDate, beforeClockSet: ctx.beforeClockSet,
    });
    log.add(certMsg.raw);
    const cvMsg = await channel.expect(HandshakeType.certificate_verify);
    const ccv = decodeCertificateVerify(cvMsg.body);
    checkPeerSignature({
      asym: ctx.asym, scheme: ccv.algorithm, offered: policy.schemes, leaf: peer.path[0]!, data: tls13SignedContent("client", log.hash()),
      signature: ccv.signature, version: "TLSv1.3", what: "the client's CertificateVerify",
    });
    log.add(cvMsg.raw);
    const finMsg = await channel.expect(HandshakeType.finished);
    const verifyData = decodeFinished(finMsg.body, HASH_LENGTH[suite.hash]);
    try {
      tls13VerifyFinished(core, suite.hash, chts, log.tx, verifyData);
    } catch (e) {
      if (e instanceof TlsAlertError) throw refuseBadFinished("client", e);
      throw e;
    }
    channel.atKeyChange("the client's Finished");
    rl.installTls13("read", suite, cats);
    rl.allowCompatibilityChangeCipherSpec(false);
    const serverName = clientServerName(ch);
    return {
      version: "TLSv1.3",
      suite,
      group: groupName(group),
      peerPath: peer.path,
      warnings: peer.warnings,
      peerSignatureScheme: describePeerScheme(ccv.algorithm),
      signatureScheme: signatureSchemeName(scheme),
      ...(serverName !== undefined ? { serverName } : {}),
      peerRecordSizeLimit,
      helloRetryRequest: sentHrr,
      secureRenegotiation: true,
    };
  } finally {
    for (const s of secrets) s.destroy();
    ks?.destroy();
    shared?.fill(0);
    share.current?.destroy();
    log.destroy();
  }
}
