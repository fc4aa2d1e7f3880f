// The firmware image container. One file:
//
//   magic "GWSDKIMG" (8) | format u16 = 1 | reserved u16 = 0 |
//   manifest length u32 | manifest (UTF-8 JSON) | signature length u16 | signature |
//   parts, concatenated in manifest order
//
// The signature covers the exact manifest bytes; the manifest names every part with its offset,
// size and SHA-256. So any modified byte is caught: in a part by its digest, in the manifest by the
// signature, in the framing by the strict parser (lengths must account for every byte of the file).
import { createHash } from "node:crypto";
import { GwsdkError } from "../errors.js";

export const IMAGE_MAGIC = Buffer.from("GWSDKIMG", "ascii");
export const IMAGE_FORMAT = 1;
/** Upper bounds the parser enforces before trusting any length. */
export const MAX_MANIFEST = 1 << 20;
export const MAX_SIGNATURE = 1024;
export const MAX_PARTS = 64;

export class ImageError extends GwsdkError {}

export interface ImagePart {
  /**
   * File name inside the slot: core.wasm, core-scalar.wasm, gwsdk.mjs, web/app.bundle.js, board.json,
   * schemas/board.schema.json, schemas/gateway-config.schema.json, trust/NAME.pem, sbom.json.
   */
  name: string;
  /** Byte offset of the part from the start of the parts area. */
  offset: number;
  size: number;
  sha256: string;
}

export interface ImageManifest {
  format: 1;
  product: "gwsdk";
  /** SDK version (package.json). */
  sdkVersion: string;
  /** Monotonic anti-rollback version: a device refuses an image whose imageVersion is lower than installed. */
  imageVersion: number;
  boardId: string;
  coreVariants: ("simd" | "scalar")[];
  createdAt: string;
  node: string;
  parts: ImagePart[];
  signature: { algorithm: "ecdsa-p256-sha256" | "rsa-pss-sha256"; keyId: string };
}

export interface ParsedImage {
  manifestBytes: Uint8Array;
  manifest: ImageManifest;
  signature: Uint8Array;
  /** The parts area (everything after the signature). */
  body: Uint8Array;
}

export function sha256Hex(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

export function encodeImage(manifestBytes: Uint8Array, signature: Uint8Array, parts: Uint8Array[]): Uint8Array {
  const head = Buffer.alloc(16);
  IMAGE_MAGIC.copy(head, 0);
  head.writeUInt16BE(IMAGE_FORMAT, 8);
  head.writeUInt16BE(0, 10);
  head.writeUInt32BE(manifestBytes.length, 12);
  const sigLen = Buffer.alloc(2);
  sigLen.writeUInt16BE(signature.length, 0);
  return new Uint8Array(Buffer.concat([head, manifestBytes, sigLen, signature, ...parts]));
}

function fail(what: string): never {
  throw new ImageError("ERR_IMAGE_FORMAT", `not a valid gwsdk image: ${what}`);
}

const PART_NAME = /^(core\.wasm|core-scalar\.wasm|gwsdk\.mjs|web\/app\.bundle\.js|board\.json|sbom\.json|schemas\/board\.schema\.json|schemas\/gateway-config\.schema\.json|trust\/[A-Za-z0-9._-]{1,64}\.pem)$/;

/** Parts every image must hold: the host, its board and the schemas it validates board and config with, the SBOM. */
export const REQUIRED_PARTS = ["gwsdk.mjs", "board.json", "schemas/board.schema.json", "schemas/gateway-config.schema.json", "sbom.json"] as const;

/** Parses the container strictly (no signature or digest check: see verify.ts). */
export function parseImage(file: Uint8Array): ParsedImage {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.length < 18) fail("file too short");
  if (!b.subarray(0, 8).equals(IMAGE_MAGIC)) fail("bad magic");
  if (b.readUInt16BE(8) !== IMAGE_FORMAT) fail(`unsupported format ${b.readUInt16BE(8)}`);
  if (b.readUInt16BE(10) !== 0) fail("reserved field is not zero");
  const mlen = b.readUInt32BE(12);
  if (mlen < 2 || mlen > MAX_MANIFEST || 16 + mlen + 2 > b.length) fail("manifest length out of range");
  const manifestBytes = file.subarray(16, 16 + mlen);
  const slen = b.readUInt16BE(16 + mlen);
  if (slen < 8 || slen > MAX_SIGNATURE || 18 + mlen + slen > b.length) fail("signature length out of range");
  const signature = file.subarray(18 + mlen, 18 + mlen + slen);
  const body = file.subarray(18 + mlen + slen);
  let manifest: ImageManifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8")) as ImageManifest;
  } catch {
    fail("manifest is not JSON");
  }
  checkManifestShape(manifest, body.length);
  return { manifestBytes, manifest, signature, body };
}

function checkManifestShape(m: ImageManifest, bodyLength: number): void {
  if (typeof m !== "object" || m === null) fail("manifest is not an object");
  if (m.format !== 1 || m.product !== "gwsdk") fail("manifest format/product");
  if (!Number.isSafeInteger(m.imageVersion) || m.imageVersion < 0) fail("manifest imageVersion");
  if (typeof m.boardId !== "string" || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(m.boardId)) fail("manifest boardId");
  if (typeof m.sdkVersion !== "string") fail("manifest sdkVersion");
  if (typeof m.signature !== "object" || m.signature === null || !["ecdsa-p256-sha256", "rsa-pss-sha256"].includes(m.signature.algorithm)) fail("manifest signature algorithm");
  if (typeof m.signature.keyId !== "string" || !/^[0-9a-f]{64}$/.test(m.signature.keyId)) fail("manifest signature keyId");
  if (!Array.isArray(m.parts) || m.parts.length === 0 || m.parts.length > MAX_PARTS) fail("manifest parts");
  let expect = 0;
  const names = new Set<string>();
  for (const p of m.parts) {
    if (typeof p !== "object" || p === null) fail("manifest part is not an object");
    if (typeof p.name !== "string" || !PART_NAME.test(p.name)) fail(`part name ${JSON.stringify(p.name)}`);
    if (names.has(p.name)) fail(`part ${p.name} listed twice`);
    names.add(p.name);
    if (p.offset !== expect || !Number.isSafeInteger(p.size) || p.size < 0) fail(`part ${p.name} offset/size`);
    if (typeof p.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(p.sha256)) fail(`part ${p.name} digest`);
    expect += p.size;
  }
  if (expect !== bodyLength) fail(`parts account for ${expect} bytes but the image holds ${bodyLength}`);
  for (const need of REQUIRED_PARTS) if (!names.has(need)) fail(`part ${need} missing`);
  if (!names.has("core.wasm") && !names.has("core-scalar.wasm")) fail("no core build in the image");
}

export function partBytes(img: ParsedImage, name: string): Uint8Array | undefined {
  const p = img.manifest.parts.find((x) => x.name === name);
  return p ? img.body.subarray(p.offset, p.offset + p.size) : undefined;
}
