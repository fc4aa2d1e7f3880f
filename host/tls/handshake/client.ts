// Client handshake, first part (RFC 8446 §4.1.2–§4.1.4, RFC 5246 §7.4.1): the ClientHello that
// offers TLS 1.3 and/or 1.2 as the policy says, a HelloRetryRequest, and the version the
// ServerHello picks (with the downgrade sentinel check). The rest runs in client13.ts/client12.ts.
import { randomBytes } from "node:crypto";
import { TLS_ALERTS } from "../alerts.js";
import { InvalidKeyShare, type KeyShare } from "../asymmetric.js";
import { TlsAlertError, TlsError } from "../errors.js";
import { protocolError, refuse } from "../mtls-errors.js";
import { cipherSuite, type TlsCipherSuite } from "../record-suites.js";
import {
  CipherSuite, DOWNGRADE_TLS11, DOWNGRADE_TLS12, ExtensionType, HELLO_RETRY_REQUEST_RANDOM, HandshakeType, ProtocolVersion, groupName,
} from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import { decodeServerHello, encodeClientHello, ext, findExtension, type ClientHello, type Extension, type ServerHello } from "./messages.js";
import { TranscriptLog } from "./transcript-log.js";
import { client13 } from "./client13.js";
import { client12 } from "./client12.js";

/** What the ClientHello committed to, for the version-specific second half. */
export interface ClientHelloState {
  log: TranscriptLog;
  clientRandom: Uint8Array;
  sessionId: Uint8Array;
  /** The TLS 1.3 key share we sent (undefined when only TLS 1.2 is offered). */
  share: KeyShare | undefined;
  offeredExtensions: Set<number>;
  /** Set after a HelloRetryRequest: the suite it chose and that the compatibility CCS went out. */
  hrrSuite?: TlsCipherSuite;
  sentCompatCcs: boolean;
  sni: string | undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** RFC 6066 §3: SNI carries a DNS host name, never an IP literal; no trailing dot. */
export function sniName(servername: string | undefined): string | undefined {
  if (!servername) return undefined;
  const n = servername.replace(/\.$/, "");
  if (/^[0-9.]+$/.test(n) || n.includes(":")) return undefined;
  return n;
}

function buildClientHello(ctx: HandshakeContext, st: ClientHelloState, share: KeyShare | undefined, cookie?: Uint8Array): ClientHello {
  const { policy } = ctx;
  const offer13 = policy.suites13.length > 0;
  const offer12 = policy.suites12.length > 0;
  const exts: Extension[] = [];
  if (st.sni) exts.push({ type: ExtensionType.server_name, data: ext.encodeServerName(st.sni) });
  if (offer12) exts.push({ type: ExtensionType.ec_point_formats, data: Uint8Array.of(1, 0) }); // uncompressed only (RFC 8422 §5.1.2)
  exts.push({ type: ExtensionType.supported_groups, data: ext.encodeU16List([...policy.groups]) });
  exts.push({ type: ExtensionType.signature_algorithms, data: ext.encodeU16List([...policy.schemes]) });
  if (offer12) {
    exts.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
    exts.push({ type: ExtensionType.renegotiation_info, data: ext.encodeRenegotiationInfo(new Uint8Array(0)) });
  }
  if (ctx.recordSizeLimit > 0) exts.push({ type: ExtensionType.record_size_limit, data: ext.encodeU16(ctx.recordSizeLimit) });
  const versions = [...(offer13 ? [ProtocolVersion.TLS13] : []), ...(offer12 ? [ProtocolVersion.TLS12] : [])];
  exts.push({ type: ExtensionType.supported_versions, data: ext.encodeSupportedVersionsClient(versions) });
  if (cookie) exts.push({ type: ExtensionType.cookie, data: ext.encodeCookie(cookie) });
  if (share) exts.push({ type: ExtensionType.key_share, data: ext.encodeKeyShareClient([{ group: share.group, keyExchange: share.publicKey }]) });
  st.offeredExtensions = new Set(exts.map((e) => e.type));
  return {
    legacyVersion: ProtocolVersion.TLS12,
    random: st.clientRandom,
    legacySessionId: st.sessionId,
    cipherSuites: [...policy.suites13.map((s) => s.id), ...policy.suites12.map((s) => s.id), ...(offer12 ? [CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV] : [])],
    compressionMethods: Uint8Array.of(0),
    extensions: exts,
  };
}

/** Runs the client handshake to completion. */
export async function runClientHandshake(ctx: HandshakeContext): Promise<HandshakeResult> {
  const { policy, channel } = ctx;
  const offer13 = policy.suites13.length > 0;
  const st: ClientHelloState = {
    log: new TranscriptLog(ctx.core),
    clientRandom: new Uint8Array(randomBytes(32)),
    // a non-empty legacy_session_id turns on middlebox compatibility mode (RFC 8446 §D.4)
    sessionId: offer13 ? new Uint8Array(randomBytes(32)) : new Uint8Array(0),
    share: undefined,
    offeredExtensions: new Set(),
    sentCompatCcs: false,
    sni: sniName(ctx.servername),
  };
  try {
    if (offer13) {
      st.share = ctx.asym.generateKeyShare(policy.groups[0]!);
      // a TLS 1.3 server may send a compatibility change_cipher_spec right after its first message (RFC 8446 §D.4)
      channel.rl.allowCompatibilityChangeCipherSpec(true);
    }
    // OpenSSL, Schannel and Go send the first ClientHello with record version 0x0301 (RFC 8446 §5.1)
    channel.rl.setLegacyRecordVersion(ProtocolVersion.TLS10);
    const ch1 = encodeClientHello(buildClientHello(ctx, st, st.share));
    st.log.add(ch1);
    channel.send(ch1);
    channel.flush();
    // RFC 8446 §5.1: every record after the initial ClientHello says 0x0303 (alerts included)
    channel.rl.setLegacyRecordVersion(ProtocolVersion.TLS12);

    let shMsg = await firstServerMessage(ctx);
    let sh = decodeServerHello(shMsg.body);
    if (offer13 && bytesEqual(sh.random, HELLO_RETRY_REQUEST_RANDOM)) {
      await helloRetry(ctx, st, sh, shMsg.raw);
      shMsg = await channel.expect(HandshakeType.server_hello);
      sh = decodeServerHello(shMsg.body);
      if (bytesEqual(sh.random, HELLO_RETRY_REQUEST_RANDOM)) throw protocolError("unexpected_message", "a second HelloRetryRequest");
    }
    const version = negotiatedVersion(ctx, sh, st.hrrSuite !== undefined);
    if (version === "TLSv1.3") return await client13(ctx, st, sh, shMsg.raw);
    st.share?.destroy();
    st.share = undefined;
    return await client12(ctx, st, sh, shMsg.raw);
  } finally {
    st.share?.destroy();
    st.log.destroy();
  }
}

/**
 * The server's first message. A protocol_version alert instead means the server speaks none of our
 * versions (e.g. a TLS 1.1-only server honouring our supported_versions): ERR_TLS_PROTOCOL_VERSION.
 */
async function firstServerMessage(ctx: HandshakeContext) {
  try {
    return await ctx.channel.expect(HandshakeType.server_hello);
  } catch (e) {
    if (e instanceof TlsAlertError && e.direction === "received" && e.alertNumber === TLS_ALERTS.protocol_version) {
      throw new TlsError(
        "ERR_TLS_PROTOCOL_VERSION",
        `the server refused our ClientHello with protocol_version: it speaks none of ${ctx.policy.versions.join(", ")} (an old Mediation Server with TLS 1.0/1.1 only? enable TLS 1.2 there)`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** RFC 8446 §4.1.4: checks the HelloRetryRequest and sends the second ClientHello. */
async function helloRetry(ctx: HandshakeContext, st: ClientHelloState, hrr: ServerHello, raw: Uint8Array): Promise<void> {
  const { channel, policy } = ctx;
  const sv = findExtension(hrr.extensions, ExtensionType.supported_versions);
  if (!sv) throw protocolError("missing_extension", "HelloRetryRequest without supported_versions");
  if (ext.supportedVersionServer(sv) !== ProtocolVersion.TLS13) throw protocolError("illegal_parameter", "HelloRetryRequest for a version other than TLS 1.3");
  if (!bytesEqual(hrr.legacySessionIdEcho, st.sessionId)) throw protocolError("illegal_parameter", "HelloRetryRequest does not echo our legacy_session_id");
  const suite = policy.suites13.find((s) => s.id === hrr.cipherSuite);
  if (!suite) throw protocolError("illegal_parameter", `HelloRetryRequest chose cipher suite 0x${hrr.cipherSuite.toString(16)}, which we did not offer`);
  if (hrr.compressionMethod !== 0) throw protocolError("illegal_parameter", "HelloRetryRequest with a compression method");
  let group: number | undefined;
  let cookie: Uint8Array | undefined;
  for (const e of hrr.extensions) {
    if (e.type === ExtensionType.key_share) group = ext.keyShareHrr(e.data);
    else if (e.type === ExtensionType.cookie) cookie = ext.cookie(e.data);
    else if (e.type !== ExtensionType.supported_versions) {
      throw protocolError(st.offeredExtensions.has(e.type) ? "illegal_parameter" : "unsupported_extension", `HelloRetryRequest carries extension ${e.type}`);
    }
  }
  if (group === undefined && cookie === undefined) throw protocolError("illegal_parameter", "HelloRetryRequest that changes nothing");
  let share = st.share;
  if (group !== undefined) {
    if (!policy.groups.includes(group)) throw protocolError("illegal_parameter", `HelloRetryRequest asks for group ${groupName(group)}, which we did not offer`);
    if (group === st.share?.group) throw protocolError("illegal_parameter", `HelloRetryRequest asks for ${groupName(group)}, for which we already sent a key share`);
    st.share?.destroy();
    share = ctx.asym.generateKeyShare(group);
    st.share = share;
  }
  st.hrrSuite = suite;
  st.log.select(suite.hash);
  st.log.helloRetryRequest();
  st.log.add(raw);
  // middlebox compatibility: a change_cipher_spec before the second ClientHello (RFC 8446 §D.4)
  channel.sendChangeCipherSpec();
  st.sentCompatCcs = true;
  const ch2 = encodeClientHello(buildClientHello(ctx, st, share, cookie));
  st.log.add(ch2);
  channel.send(ch2);
  channel.flush();
}

/** The version a ServerHello selects, refused unless our policy allows it; checks the downgrade sentinel. */
function negotiatedVersion(ctx: HandshakeContext, sh: ServerHello, afterHrr: boolean): "TLSv1.3" | "TLSv1.2" {
  const { policy } = ctx;
  const offer13 = policy.suites13.length > 0;
  const offer12 = policy.suites12.length > 0;
  const sv = findExtension(sh.extensions, ExtensionType.supported_versions);
  if (sv) {
    const v = ext.supportedVersionServer(sv);
    // RFC 8446 §4.2.1: a version not offered, or one before TLS 1.3, here is illegal_parameter
    if (v !== ProtocolVersion.TLS13 || !offer13) throw protocolError("illegal_parameter", `ServerHello selects version 0x${v.toString(16)} in supported_versions, which we did not offer`);
    return "TLSv1.3";
  }
  if (afterHrr) throw protocolError("illegal_parameter", "ServerHello after a HelloRetryRequest does not select TLS 1.3");
  const v = sh.legacyVersion;
  if (v < ProtocolVersion.TLS12) {
    const name = v === ProtocolVersion.SSL3 ? "SSL 3.0" : v === ProtocolVersion.TLS10 ? "TLS 1.0" : v === ProtocolVersion.TLS11 ? "TLS 1.1" : `version 0x${v.toString(16)}`;
    throw refuse("ERR_TLS_PROTOCOL_VERSION", "protocol_version", `the server offers ${name} only; this gateway speaks ${policy.versions.join(" and ")} (enable TLS 1.2 or 1.3 on the Mediation Server)`);
  }
  if (v !== ProtocolVersion.TLS12) throw protocolError("illegal_parameter", `ServerHello legacy_version 0x${v.toString(16)} without supported_versions`);
  if (!offer12) throw refuse("ERR_TLS_PROTOCOL_VERSION", "protocol_version", "the server offers TLS 1.2 only, and the policy allows TLS 1.3 only");
  // RFC 8446 §4.1.3: a TLS 1.3 client that gets TLS 1.2 must find no downgrade sentinel
  const tail = sh.random.subarray(24);
  if (offer13 && (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11))) {
    throw refuse("ERR_TLS_DOWNGRADE", "illegal_parameter", "the ServerHello carries the TLS 1.3 downgrade sentinel: something between us and the server removed TLS 1.3 from our offer");
  }
  return "TLSv1.2";
}

/** The offered TLS 1.2 or 1.3 suite a ServerHello chose, else illegal_parameter. */
export function chosenSuite(offered: readonly TlsCipherSuite[], id: number): TlsCipherSuite {
  const s = offered.find((x) => x.id === id) ? cipherSuite(id) : undefined;
  if (!s) throw protocolError("illegal_parameter", `the server chose cipher suite 0x${id.toString(16).padStart(4, "0")}, which we did not offer`);
  return s;
}

/** A key share the peer sent that is not a valid point: illegal_parameter (RFC 8446 §4.2.8). */
export function deriveShared(share: KeyShare, peer: Uint8Array): Uint8Array {
  try {
    return share.deriveSecret(peer);
  } catch (e) {
    if (e instanceof InvalidKeyShare) throw protocolError("illegal_parameter", e.message, e);
    throw e;
  }
}
