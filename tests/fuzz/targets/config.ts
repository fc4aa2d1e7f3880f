// Files an operator or an update server hands the device: board files, the gateway config, and
// firmware images. Properties: only BoardError / ConfigError / ImageError (JSON syntax errors are
// reported by those readers as ERR_*_PARSE); an image that parses either verifies or is refused with
// ERR_IMAGE_SIGNATURE / ERR_IMAGE_DIGEST (our key never signed a mutant); encode → parse round trip.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BoardError, boardsDir, loadBoard, mergeFields, validateBoardDocument } from "../../../host/boards/board.js";
import { ConfigError, resolveConfig, validateConfigDocument } from "../../../host/gateway/config.js";
import { ImageError, encodeImage, parseImage, sha256Hex, type ImageManifest } from "../../../host/image/format.js";
import { keyId, signManifest } from "../../../host/image/sign.js";
import { verifyImage } from "../../../host/image/verify.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { bump, check, enc, expectTyped, instanceOf, sameBytes, utf8, type FuzzTarget } from "./types.js";

const JSON_DICTIONARY = ['"', "{", "}", "[", "]", ":", ",", "null", "true", "false", "-1", "1e400", "0.5", '"extends"', '"id"', '"$schema"', '"__proto__"', '"constructor"', "\\u0000", '"sim"', '"base"', '"../base"'];

function parseJson(text: string, make: (m: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw make(`not JSON: ${(e as Error).message}`);
  }
}

const boardCounters: Record<string, number> = {};
let boardFile = 0;

/** A board file: JSON → schema validation → merge over base; every 16th input also through loadBoard from a file. */
export const board: FuzzTarget = {
  name: "board",
  description: "board JSON files: schema validation (ajv), extends chains and field merge, loadBoard from a file",
  kind: "host",
  coverage: ["/dist/host/boards/"],
  maxLength: 4096,
  text: true,
  dictionary: JSON_DICTIONARY,
  counters: boardCounters,
  seeds: () => ["sim", "constrained", "arm64-linux", "base"].map((id) => enc(JSON.stringify(loadBoard(id), null, 1))),
  run(input) {
    const text = utf8(input);
    const isBoardError = instanceOf(BoardError);
    const doc = expectTyped("board JSON", isBoardError, () => parseJson(text, (m) => new BoardError("ERR_BOARD_PARSE", m)));
    if (!doc.ok) {
      bump(boardCounters, "notJson");
      return;
    }
    const v = expectTyped("validateBoardDocument", isBoardError, () => validateBoardDocument(doc.value, "fuzz.json"));
    if (v.ok) {
      bump(boardCounters, "valid");
      expectTyped("mergeFields", () => false, () => mergeFields(loadBoard("base") as unknown as Record<string, unknown>, v.value));
    } else bump(boardCounters, "invalid");
    if ((boardFile++ & 15) === 0) {
      const dir = join(TMP_DIR, `fuzz-boards-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      const f = join(dir, "fuzz.json");
      writeFileSync(f, input);
      expectTyped("loadBoard(file)", isBoardError, () => loadBoard(f, boardsDir()));
    }
  },
};

const configCounters: Record<string, number> = {};
let simBoard: ReturnType<typeof loadBoard> | undefined;

export const gatewayConfig: FuzzTarget = {
  name: "gateway-config",
  description: "gwsdk gateway --config: schema validation and resolution over the sim board's defaults",
  kind: "host",
  coverage: ["/dist/host/gateway/config"],
  maxLength: 4096,
  text: true,
  dictionary: [...JSON_DICTIONARY, '"fqdn"', '"pool"', '"members"', '"hosts"', '"trunk"', '"tls"', '"media"', '"portMin"', '"portMax"', '"fips"', '"legacyCbc"', "65536"],
  counters: configCounters,
  seeds: () => [
    enc(JSON.stringify({ fqdn: "gw1.contoso.com", pool: { fqdn: "mspool.contoso.com", members: [{ fqdn: "ms1.contoso.com", host: "127.0.0.1", port: 5067 }] } })),
    enc(JSON.stringify({ fqdn: "gw1.contoso.com", pool: { fqdn: "mspool.contoso.com", hosts: { "mspool.contoso.com": ["10.0.0.1", "10.0.0.2"] } }, trunk: { srtpMode: "optional", mki: false }, tls: { versions: ["TLSv1.2"], fips: true }, media: { address: "10.0.0.5", portMin: 20000, portMax: 20999 }, limits: { maxCalls: 10 }, log: { format: "json", level: "debug" } })),
  ],
  run(input) {
    simBoard ??= loadBoard("sim");
    const isConfigError = instanceOf(ConfigError);
    const doc = expectTyped("config JSON", isConfigError, () => parseJson(utf8(input), (m) => new ConfigError("ERR_CONFIG_PARSE", m)));
    if (!doc.ok) return;
    const v = expectTyped("validateConfigDocument", isConfigError, () => validateConfigDocument(doc.value));
    if (!v.ok) {
      bump(configCounters, "invalid");
      return;
    }
    const c = expectTyped("resolveConfig", isConfigError, () => resolveConfig(simBoard!, v.value));
    bump(configCounters, c.ok ? "resolved" : "refused");
    if (c.ok) check(c.value.media.portMin <= c.value.media.portMax, "resolved config with portMin > portMax");
  },
};

// ------------------------------------------------------------------------------------ images

let imageKey: KeyObject | undefined;
let otherKey: KeyObject | undefined;

function keys(): { key: KeyObject; other: KeyObject } {
  imageKey ??= generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  otherKey ??= generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  return { key: imageKey, other: otherKey };
}

/** A small, well-formed, signed image (fake part contents: the container is what is tested). */
export function makeImage(key: KeyObject, version = 3): Uint8Array {
  const parts: [string, Uint8Array][] = [
    ["core.wasm", Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)],
    ["gwsdk.mjs", enc("console.log('gwsdk');\n")],
    ["board.json", enc('{"id":"sim"}')],
    ["schemas/board.schema.json", enc('{"type":"object"}')],
    ["schemas/gateway-config.schema.json", enc('{"type":"object"}')],
    ["sbom.json", enc('{"bomFormat":"CycloneDX"}')],
    ["trust/root-ca.pem", enc("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n")],
  ];
  let off = 0;
  const manifest: ImageManifest = {
    format: 1, product: "gwsdk", sdkVersion: "0.1.0", imageVersion: version, boardId: "sim", coreVariants: ["simd"],
    createdAt: "2026-01-01T00:00:00.000Z", node: "v20.0.0",
    parts: parts.map(([name, b]) => {
      const p = { name, offset: off, size: b.length, sha256: sha256Hex(b) };
      off += b.length;
      return p;
    }),
    signature: { algorithm: "ecdsa-p256-sha256", keyId: keyId(key) },
  };
  const mb = enc(JSON.stringify(manifest));
  return encodeImage(mb, signManifest(mb, key), parts.map(([, b]) => b));
}

/** The signed images this process made, per signing key: the only inputs allowed to verify. */
const signedSeeds = new Map<KeyObject, Uint8Array>();
const imageCounters: Record<string, number> = {};

function imageSeeds(): Uint8Array[] {
  const { key, other } = keys();
  if (!signedSeeds.has(key)) signedSeeds.set(key, makeImage(key));
  if (!signedSeeds.has(other)) signedSeeds.set(other, makeImage(other, 9));
  return [signedSeeds.get(key)!, signedSeeds.get(other)!];
}

export const image: FuzzTarget = {
  name: "image",
  description: "firmware image container: strict framing, manifest shape, signature, part digests",
  kind: "host",
  coverage: ["/dist/host/image/"],
  maxLength: 8192,
  dictionary: [enc("GWSDKIMG"), Uint8Array.of(0, 1, 0, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff), ...JSON_DICTIONARY.map(enc), enc('"parts"'), enc('"offset"'), enc('"size"'), enc('"keyId"')],
  counters: imageCounters,
  seeds: imageSeeds,
  run(input) {
    imageSeeds();
    const isImageError = instanceOf(ImageError);
    const p = expectTyped("parseImage", isImageError, () => parseImage(input));
    if (!p.ok) {
      bump(imageCounters, "badFormat");
      return;
    }
    const again = encodeImage(p.value.manifestBytes, p.value.signature, [p.value.body]);
    check(sameBytes(again, input), "encodeImage(parseImage(x)) differs from x");
    for (const [k, signed] of signedSeeds) {
      const v = expectTyped("verifyImage", isImageError, () => verifyImage(input, k));
      if (v.ok) {
        bump(imageCounters, "verified");
        check(sameBytes(input, signed), "a modified image verified under the key that signed the original");
      } else bump(imageCounters, `refused-${(v.error as ImageError).code}`);
    }
  },
};
