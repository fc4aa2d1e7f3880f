// Server handshake, first part: the ClientHello and the version (RFC 8446 §4.2.1, RFC 5246 §E.1).
// Only TLS 1.3 and 1.2 are spoken; SSL 3.0, TLS 1.0/1.1 (and SSLv2-format hellos, caught by the
// connection before any record is parsed) are refused with protocol_version. The rest runs in
// server13.ts/server12.ts.
import { protocolError, refuse } from "../mtls-errors.js";
import { CipherSuite, ExtensionType, HandshakeType, ProtocolVersion } from "./constants.js";
import type { HandshakeContext, HandshakeResult } from "./context.js";
import { decodeClientHello, ext, findExtension, type ClientHello } from "./messages.js";
import { server13 } from "./server13.js";
import { server12 } from "./server12.js";

function versionName(v: number): string {
  if (v === ProtocolVersion.SSL3) return "SSL 3.0";
  if (v === ProtocolVersion.TLS10) return "TLS 1.0";
  if (v === ProtocolVersion.TLS11) return "TLS 1.1";
  if (v === ProtocolVersion.TLS12) return "TLS 1.2";
  if (v === ProtocolVersion.TLS13) return "TLS 1.3";
  return `0x${v.toString(16).padStart(4, "0")}`;
}

/** The version to speak with this ClientHello, or protocol_version. */
export function selectVersion(ctx: HandshakeContext, ch: ClientHello): "TLSv1.3" | "TLSv1.2" {
  const { policy } = ctx;
  const ours = policy.versions;
  const sv = findExtension(ch.extensions, ExtensionType.supported_versions);
  let offered: number[];
  if (sv) offered = ext.supportedVersionsClient(sv);
  else offered = ch.legacyVersion >= ProtocolVersion.TLS12 ? [ProtocolVersion.TLS12] : [ch.legacyVersion];
  let chosen: "TLSv1.3" | "TLSv1.2" | undefined;
  if (ours.includes("TLSv1.3") && offered.includes(ProtocolVersion.TLS13)) chosen = "TLSv1.3";
  else if (ours.includes("TLSv1.2") && offered.includes(ProtocolVersion.TLS12)) chosen = "TLSv1.2";
  if (!chosen) {
    const theirs = offered.filter((v) => (v >>> 8) === 3).map(versionName);
    throw refuse(
      "ERR_TLS_PROTOCOL_VERSION",
      "protocol_version",
      `the client offers ${theirs.length ? theirs.join(", ") : "no known version"}; this gateway speaks ${ours.join(" and ")} only (enable TLS 1.2 or 1.3 on the Mediation Server)`,
    );
  }
  // RFC 7507: a fallback retry to a version below our best is an attack or a broken client
  if (ch.cipherSuites.includes(CipherSuite.TLS_FALLBACK_SCSV) && chosen !== ours[0]) {
    throw refuse("ERR_TLS_INAPPROPRIATE_FALLBACK", "inappropriate_fallback", `the client retried with ${chosen} after a failed attempt (TLS_FALLBACK_SCSV), although both sides support ${ours[0]}`);
  }
  return chosen;
}

/** Runs the server handshake to completion. */
export async function runServerHandshake(ctx: HandshakeContext): Promise<HandshakeResult> {
  const msg = await ctx.channel.expect(HandshakeType.client_hello);
  const ch = decodeClientHello(msg.body);
  if (!Array.from(ch.compressionMethods).includes(0)) throw protocolError("illegal_parameter", "the ClientHello does not offer the null compression method");
  const version = selectVersion(ctx, ch);
  return version === "TLSv1.3" ? server13(ctx, ch, msg.raw) : server12(ctx, ch, msg.raw);
}

/** The SNI host name of a ClientHello, if any. */
export function clientServerName(ch: ClientHello): string | undefined {
  const d = findExtension(ch.extensions, ExtensionType.server_name);
  return d ? ext.serverName(d) : undefined;
}
