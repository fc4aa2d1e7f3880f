// image verify: the signature over the manifest, then every part's SHA-256. Any modified byte fails.
import type { KeyObject } from "node:crypto";
import { ImageError, parseImage, partBytes, sha256Hex, type ParsedImage } from "./format.js";
import { keyId, verifyManifestSignature } from "./sign.js";

export interface VerifiedImage extends ParsedImage {
  parts: Map<string, Uint8Array>;
}

export function verifyImage(file: Uint8Array, key: KeyObject): VerifiedImage {
  const img = parseImage(file);
  const id = keyId(key);
  if (img.manifest.signature.keyId !== id) {
    throw new ImageError("ERR_IMAGE_SIGNATURE", `the image was signed by key ${img.manifest.signature.keyId.slice(0, 16)}…, not by the key given (${id.slice(0, 16)}…)`);
  }
  if (!verifyManifestSignature(img.manifestBytes, img.signature, img.manifest.signature.algorithm, key)) {
    throw new ImageError("ERR_IMAGE_SIGNATURE", "the image's signature does not verify: the manifest was modified or signed with another key");
  }
  const parts = new Map<string, Uint8Array>();
  for (const p of img.manifest.parts) {
    const bytes = partBytes(img, p.name)!;
    if (sha256Hex(bytes) !== p.sha256) throw new ImageError("ERR_IMAGE_DIGEST", `part ${p.name} does not match its SHA-256 in the signed manifest: the image was modified`);
    parts.set(p.name, bytes);
  }
  return { ...img, parts };
}
