// TLS: every handshake message decoder (host, coverage-guided) and the record layer's reassembly and
// record protection in the core (mutation-based).
import { DecodeError } from "../../../host/tls/handshake/codec.js";
import { ExtensionType, HandshakeType } from "../../../host/tls/handshake/constants.js";
import {
  decodeCertificate12, decodeCertificate13, decodeCertificateRequest12, decodeCertificateRequest13, decodeCertificateVerify,
  decodeClientHello, decodeClientKeyExchangeEcdhe, decodeEncryptedExtensions, decodeFinished, decodeKeyUpdate, decodeNewSessionTicket13,
  decodeServerHello, decodeServerKeyExchangeEcdhe, encodeCertificate12, encodeCertificate13, encodeCertificateRequest12, encodeCertificateRequest13,
  encodeCertificateVerify, encodeClientHello, encodeEncryptedExtensions, encodeKeyUpdate, encodeServerHello, ext, frameHandshake, splitHandshake,
  type Extension,
} from "../../../host/tls/handshake/messages.js";
import { loadCore, type Core } from "../../../host/core/load-core.js";
import { TlsRecordLayer, ContentType } from "../../../host/tls/record-layer.js";
import { cipherSuite } from "../../../host/tls/record-suites.js";
import { TlsError } from "../../../host/tls/errors.js";
import { Writer } from "../../../host/tls/handshake/codec.js";
import { bump, check, coreUnchanged, expectTyped, instanceOf, sameBytes, type FuzzTarget } from "./types.js";

const isDecodeError = instanceOf(DecodeError);

function hs(type: number, body: Uint8Array): Uint8Array {
  return frameHandshake(type, body);
}

function exts(list: [number, Uint8Array][]): Extension[] {
  return list.map(([type, data]) => ({ type, data }));
}

const rnd = (n: number, k = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k * 17) & 0xff);

export function handshakeSeeds(): Uint8Array[] {
  const chExt = exts([
    [ExtensionType.server_name, ext.encodeServerName("ms1.contoso.com")],
    [ExtensionType.supported_versions, ext.encodeSupportedVersionsClient([0x0304, 0x0303])],
    [ExtensionType.supported_groups, ext.encodeU16List([23, 24, 29])],
    [ExtensionType.signature_algorithms, ext.encodeU16List([0x0403, 0x0804, 0x0401, 0x0503])],
    [ExtensionType.key_share, ext.encodeKeyShareClient([{ group: 23, keyExchange: rnd(65) }, { group: 29, keyExchange: rnd(32, 2) }])],
    [ExtensionType.extended_master_secret, new Uint8Array(0)],
    [ExtensionType.renegotiation_info, ext.encodeRenegotiationInfo(new Uint8Array(0))],
    [ExtensionType.record_size_limit, ext.encodeU16(16385)],
    [ExtensionType.ec_point_formats, Uint8Array.of(1, 0)],
    [ExtensionType.cookie, ext.encodeCookie(rnd(20, 3))],
  ]);
  const ch = encodeClientHello({ legacyVersion: 0x0303, random: rnd(32), legacySessionId: rnd(32, 4), cipherSuites: [0x1301, 0x1302, 0xc02b, 0xc02f], compressionMethods: Uint8Array.of(0), extensions: chExt });
  const sh = encodeServerHello({ legacyVersion: 0x0303, random: rnd(32, 5), legacySessionIdEcho: rnd(32, 4), cipherSuite: 0x1301, compressionMethod: 0, extensions: exts([[ExtensionType.supported_versions, ext.encodeSupportedVersionServer(0x0304)], [ExtensionType.key_share, ext.encodeKeyShareServer({ group: 23, keyExchange: rnd(65, 6) })]]) });
  const ee = encodeEncryptedExtensions(exts([[ExtensionType.record_size_limit, ext.encodeU16(4096)]]));
  const cr13 = encodeCertificateRequest13({ context: new Uint8Array(0), extensions: exts([[ExtensionType.signature_algorithms, ext.encodeU16List([0x0403, 0x0804])]]) });
  const cert13 = encodeCertificate13({ context: new Uint8Array(0), entries: [{ certData: rnd(300, 7), extensions: [] }, { certData: rnd(200, 8), extensions: exts([[5, rnd(4)]]) }] });
  const cv = encodeCertificateVerify({ algorithm: 0x0403, signature: rnd(72, 9) });
  const fin = hs(HandshakeType.finished, rnd(32, 10));
  const ku = encodeKeyUpdate(true);
  const nst = hs(HandshakeType.new_session_ticket, new Writer().u16(0).u16(7200).bytes(rnd(4)).vecBytes(1, rnd(8)).vecBytes(2, rnd(40)).vec(2, () => undefined).finish());
  const cr12 = encodeCertificateRequest12({ certificateTypes: Uint8Array.of(1, 64), signatureAlgorithms: [0x0401, 0x0403], certificateAuthorities: [rnd(30, 11)] });
  const cert12 = encodeCertificate12([rnd(300, 12)]);
  const ske = hs(HandshakeType.server_key_exchange, new Writer().u8(3).u16(23).vecBytes(1, rnd(65, 13)).u16(0x0403).vecBytes(2, rnd(71, 14)).finish());
  const cke = hs(HandshakeType.client_key_exchange, new Writer().vecBytes(1, rnd(65, 15)).finish());
  const shd = hs(HandshakeType.server_hello_done, new Uint8Array(0));
  const cat = (...xs: Uint8Array[]) => new Uint8Array(Buffer.concat(xs));
  return [ch, cat(sh, ee, cr13, cert13, cv, fin), cat(ku, nst), cat(sh, cert12, ske, cr12, shd), cat(cert12, cke, cv, hs(HandshakeType.finished, rnd(12)))];
}

/** decode(encode(decode(x))) must equal decode(x), and re-encoding must be stable. */
function roundTrip<T>(what: string, decoded: T, encode: (m: T) => Uint8Array, decode: (body: Uint8Array) => T): void {
  const e1 = expectTyped(`${what} encode`, () => false, () => encode(decoded));
  if (!e1.ok) return;
  const d2 = expectTyped(`${what} decode of our own encoding`, () => false, () => decode(e1.value.subarray(4)));
  if (!d2.ok) return;
  const e2 = encode(d2.value);
  check(sameBytes(e1.value, e2), `${what}: encode → decode → encode is not stable`);
}

function extensionBodies(list: Extension[]): void {
  for (const e of list) {
    const f: Record<number, (d: Uint8Array) => unknown> = {
      [ExtensionType.supported_versions]: (d) => (d.length === 2 ? ext.supportedVersionServer(d) : ext.supportedVersionsClient(d)),
      [ExtensionType.supported_groups]: (d) => ext.u16List(d, "supported_groups"),
      [ExtensionType.signature_algorithms]: (d) => ext.u16List(d, "signature_algorithms"),
      [ExtensionType.signature_algorithms_cert]: (d) => ext.u16List(d, "signature_algorithms_cert"),
      [ExtensionType.key_share]: (d) => {
        expectTyped("keyShareServer", isDecodeError, () => ext.keyShareServer(d));
        expectTyped("keyShareHrr", isDecodeError, () => ext.keyShareHrr(d));
        return ext.keyShareClient(d);
      },
      [ExtensionType.server_name]: (d) => ext.serverName(d),
      [ExtensionType.record_size_limit]: (d) => ext.recordSizeLimit(d),
      [ExtensionType.renegotiation_info]: (d) => ext.renegotiationInfo(d),
      [ExtensionType.cookie]: (d) => ext.cookie(d),
      [ExtensionType.ec_point_formats]: (d) => ext.ecPointFormats(d),
    };
    const fn = f[e.type];
    if (fn) expectTyped(`extension ${e.type}`, isDecodeError, () => fn(e.data));
  }
}

const hsCounters: Record<string, number> = {};

/** A handshake byte stream: split into messages, each through every decoder its type can mean (both versions). */
export const tlsHandshake: FuzzTarget = {
  name: "tls-handshake",
  description: "TLS 1.3 / 1.2 handshake message codec (host/tls/handshake): every message type, every extension body; round trips",
  kind: "host",
  coverage: ["/dist/host/tls/handshake/"],
  maxLength: 16384,
  dictionary: [Uint8Array.of(0x03, 0x03), Uint8Array.of(0x03, 0x04), Uint8Array.of(0x00, 0x2b), Uint8Array.of(0x00, 0x33), Uint8Array.of(0x00, 0x0d), Uint8Array.of(0x00, 0x00, 0x00), Uint8Array.of(0xff, 0xff), Uint8Array.of(0x01, 0x00, 0x01, 0x00), Uint8Array.of(0x13, 0x01), Uint8Array.of(0xff, 0x01)],
  counters: hsCounters,
  seeds: handshakeSeeds,
  run(input) {
    const s = expectTyped("splitHandshake", isDecodeError, () => splitHandshake(input));
    if (!s.ok) {
      bump(hsCounters, "splitRefused");
      return;
    }
    check(s.value.consumed <= input.length, "splitHandshake consumed more than it was given");
    for (const m of s.value.messages) {
      const b = m.body;
      const t = (what: string, f: () => unknown) => expectTyped(what, isDecodeError, f);
      switch (m.type) {
        case HandshakeType.client_hello: {
          const r = t("ClientHello", () => decodeClientHello(b));
          if (r.ok) {
            bump(hsCounters, "clientHello");
            const ch = r.value as ReturnType<typeof decodeClientHello>;
            extensionBodies(ch.extensions);
            roundTrip("ClientHello", ch, encodeClientHello, decodeClientHello);
          }
          break;
        }
        case HandshakeType.server_hello: {
          const r = t("ServerHello", () => decodeServerHello(b));
          if (r.ok) {
            bump(hsCounters, "serverHello");
            const sh = r.value as ReturnType<typeof decodeServerHello>;
            extensionBodies(sh.extensions);
            roundTrip("ServerHello", sh, encodeServerHello, decodeServerHello);
          }
          break;
        }
        case HandshakeType.encrypted_extensions: {
          const r = t("EncryptedExtensions", () => decodeEncryptedExtensions(b));
          if (r.ok) {
            const list = r.value as Extension[];
            extensionBodies(list);
            roundTrip("EncryptedExtensions", list, encodeEncryptedExtensions, decodeEncryptedExtensions);
          }
          break;
        }
        case HandshakeType.certificate_request: {
          const r13 = t("CertificateRequest (1.3)", () => decodeCertificateRequest13(b));
          if (r13.ok) roundTrip("CertificateRequest13", r13.value as ReturnType<typeof decodeCertificateRequest13>, encodeCertificateRequest13, decodeCertificateRequest13);
          const r12 = t("CertificateRequest (1.2)", () => decodeCertificateRequest12(b));
          if (r12.ok) roundTrip("CertificateRequest12", r12.value as ReturnType<typeof decodeCertificateRequest12>, encodeCertificateRequest12, decodeCertificateRequest12);
          break;
        }
        case HandshakeType.certificate: {
          const r13 = t("Certificate (1.3)", () => decodeCertificate13(b));
          if (r13.ok) {
            bump(hsCounters, "certificate13");
            roundTrip("Certificate13", r13.value as ReturnType<typeof decodeCertificate13>, encodeCertificate13, decodeCertificate13);
          }
          const r12 = t("Certificate (1.2)", () => decodeCertificate12(b));
          if (r12.ok) roundTrip("Certificate12", r12.value as Uint8Array[], encodeCertificate12, decodeCertificate12);
          break;
        }
        case HandshakeType.certificate_verify: {
          const r = t("CertificateVerify", () => decodeCertificateVerify(b));
          if (r.ok) roundTrip("CertificateVerify", r.value as ReturnType<typeof decodeCertificateVerify>, encodeCertificateVerify, decodeCertificateVerify);
          break;
        }
        case HandshakeType.finished:
          for (const n of [12, 32, 48]) t(`Finished(${n})`, () => decodeFinished(b, n));
          break;
        case HandshakeType.key_update: {
          const r = t("KeyUpdate", () => decodeKeyUpdate(b));
          if (r.ok) check(sameBytes(encodeKeyUpdate((r.value as { updateRequested: boolean }).updateRequested), m.raw), "KeyUpdate round trip");
          break;
        }
        case HandshakeType.new_session_ticket:
          t("NewSessionTicket", () => decodeNewSessionTicket13(b));
          break;
        case HandshakeType.server_key_exchange: {
          const r = t("ServerKeyExchange", () => decodeServerKeyExchangeEcdhe(b));
          if (r.ok) {
            const k = r.value as ReturnType<typeof decodeServerKeyExchangeEcdhe>;
            check(k.params.length === 4 + k.publicKey.length && sameBytes(k.params, b.subarray(0, k.params.length)), "ServerKeyExchange params are not the signed prefix");
          }
          break;
        }
        case HandshakeType.client_key_exchange:
          t("ClientKeyExchange", () => decodeClientKeyExchangeEcdhe(b));
          break;
        default:
          bump(hsCounters, "otherType");
      }
    }
  },
};

// ---------------------------------------------------------------------------------- record layer

const SUITE = "TLS_AES_128_GCM_SHA256";
const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
const IV = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
let recordCore: Core | undefined;
/** What the genuine writer sealed, by read sequence number: "type:hex". */
let genuine: string[] = [];
let genuineStream: Uint8Array = new Uint8Array(0);
const recCounters: Record<string, number> = {};

function genuineRecords(core: Core): Uint8Array {
  const w = TlsRecordLayer.create(core);
  w.installKeys("write", cipherSuite(SUITE)!, KEY, IV);
  const parts: Uint8Array[] = [];
  genuine = [];
  const add = (type: ContentType, data: Uint8Array) => {
    parts.push(w.seal(type, data));
    genuine.push(`${type}:${Buffer.from(data).toString("hex")}`);
  };
  add(ContentType.handshake, handshakeSeeds()[1]!.subarray(0, 200));
  add(ContentType.applicationData, new TextEncoder().encode("INVITE sip:x SIP/2.0\r\n"));
  add(ContentType.applicationData, new Uint8Array(0));
  add(ContentType.applicationData, rnd(1000, 3));
  parts.push(w.closeNotify());
  genuine.push(`${ContentType.alert}:0100`);
  w.destroy();
  return new Uint8Array(Buffer.concat(parts));
}

function chunked(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let h = input.length * 2654435761;
  for (let i = 0; i < input.length; ) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    const n = 1 + (h % 300);
    out.push(input.slice(i, i + n));
    i += n;
  }
  return out;
}

/**
 * A record stream into a keyed (TLS 1.3 AES-128-GCM) and an unkeyed read half, in chunks. Only
 * TLS errors; nothing but the genuine records (at their own sequence numbers) is ever delivered; a
 * refused record does not advance the read sequence number; the arena is returned whole afterwards.
 */
export const tlsRecord: FuzzTarget = {
  name: "tls-record",
  description: "TLS record reassembly and AEAD record opening in the core (keyed TLS 1.3 and unprotected halves)",
  kind: "core",
  maxLength: 20000,
  counters: recCounters,
  async setup(opts) {
    recordCore = await loadCore({ variant: opts.variant });
    genuineStream = genuineRecords(recordCore);
  },
  seeds: () => [genuineStream, genuineStream.subarray(0, 300), Uint8Array.of(22, 3, 1, 0, 4, 1, 0, 0, 0), Uint8Array.of(21, 3, 3, 0, 2, 2, 40), Uint8Array.of(20, 3, 3, 0, 1, 1)],
  run(input) {
    const core = recordCore!;
    const isTls = instanceOf(TlsError);
    for (const keyed of [true, false]) {
      coreUnchanged(core, `tls record layer (${keyed ? "keyed" : "unkeyed"})`, () => {
        const rl = TlsRecordLayer.create(core);
        try {
          if (keyed) rl.installKeys("read", cipherSuite(SUITE)!, KEY, IV);
          let delivered = 0;
          for (const c of chunked(input)) {
            rl.feed(c);
            const before = rl.sequence("read");
            const r = expectTyped("readRecords", isTls, () => rl.readRecords());
            if (!r.ok) {
              // The refused record did not count: the sequence number is that of the last good one
              // (records delivered from this chunk before the refusal are in `delivered` already).
              const e = r.error as TlsError & { alert?: string };
              bump(recCounters, `${keyed ? "keyed" : "plain"}-${e.alert ?? e.code}`);
              check(rl.sequence("read") >= before, "read sequence number went backwards");
              break;
            }
            for (const rec of r.value) {
              if (keyed) {
                const want = genuine[delivered];
                const got = `${rec.type}:${Buffer.from(rec.data).toString("hex")}`;
                check(want === got, `delivered a record that was never sealed (seq ${delivered}): ${got.slice(0, 80)}`);
                bump(recCounters, "genuineDelivered");
              } else {
                check(rec.type !== ContentType.applicationData, "application data delivered without keys");
              }
              delivered++;
            }
            if (keyed) check(rl.sequence("read") === BigInt(delivered), `read sequence ${rl.sequence("read")} after ${delivered} delivered records`);
          }
        } finally {
          rl.destroy();
        }
      });
    }
  },
};
