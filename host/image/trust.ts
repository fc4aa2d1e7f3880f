// Default trust anchors of a firmware image (its trust/*.pem parts) go into the device's certificate
// store on the first successful boot of the image that brings them. A record in the data partition
// (DEVICE/data/image-trust.json) lists every anchor installed this way, by SHA-256 fingerprint, so
// later boots neither add them twice nor put back one the operator removed (`gwsdk cert trust
// remove`); anchors the operator added are never touched — this only ever adds.
import { X509Certificate, createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { Board } from "../boards/board.js";
import { openBoardDeviceKey } from "../boards/device-key-source.js";
import { CertStore } from "../certs/cert-store.js";
import { atomicWriteFile } from "../util/atomic-file.js";
import { ImageError, type ImageManifest } from "./format.js";

export const TRUST_RECORD_FILE = "image-trust.json";

interface TrustRecord {
  format: 1;
  installed: { sha256: string; subject: string; part: string; imageVersion: number; at: string }[];
}

export interface TrustInstallResult {
  store: string;
  /** Anchors added to the store by this boot. */
  installed: { sha256: string; subject: string; part: string }[];
  /** Anchors the store already held (the operator added them): recorded, not added again. */
  alreadyTrusted: { sha256: string; subject: string; part: string }[];
  /** Anchors installed by an earlier boot: left alone (also when the operator removed them since). */
  skipped: { sha256: string; subject: string; part: string }[];
  /** Anchors the store refused (expired, not a CA...): retried on the next boot. */
  failed: { part: string; sha256?: string; code: string; message: string }[];
}

/** The certificate store of a device: the board's storage.path, relative paths in the data partition. */
export function deviceStorePath(board: Board, dataDir: string): string {
  const p = board.storage.path ?? "store";
  return isAbsolute(p) ? p : join(dataDir, p);
}

function readRecord(path: string): TrustRecord {
  if (!existsSync(path)) return { format: 1, installed: [] };
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as TrustRecord;
    if (r.format !== 1 || !Array.isArray(r.installed)) throw new Error("shape");
    return r;
  } catch {
    throw new ImageError("ERR_IMAGE_DEVICE", `${path} is damaged; delete it to let the next boot re-install the image's trust anchors`);
  }
}

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Installs the trust/*.pem parts of the slot's image into the device's store (created if absent,
 * sealed under the board's device key). Idempotent: see the file comment.
 */
export async function installImageTrust(o: { slotDir: string; dataDir: string; board: Board; now?: () => Date }): Promise<TrustInstallResult> {
  const manifest = JSON.parse(readFileSync(join(o.slotDir, "manifest.json"), "utf8")) as ImageManifest;
  const parts = manifest.parts.map((p) => p.name).filter((n) => n.startsWith("trust/"));
  const storeDir = deviceStorePath(o.board, o.dataDir);
  const result: TrustInstallResult = { store: storeDir, installed: [], alreadyTrusted: [], skipped: [], failed: [] };
  if (parts.length === 0) return result;
  const recordPath = join(o.dataDir, TRUST_RECORD_FILE);
  const record = readRecord(recordPath);
  const done = new Set(record.installed.map((r) => r.sha256));
  const todo: { part: string; pem: string; sha256: string; subject: string }[] = [];
  for (const part of parts) {
    for (const pem of pemBlocks(readFileSync(join(o.slotDir, part), "utf8"))) {
      let x: X509Certificate;
      try {
        x = new X509Certificate(pem);
      } catch (e) {
        result.failed.push({ part, code: "ERR_CERT_PARSE", message: (e as Error).message });
        continue;
      }
      const sha256 = createHash("sha256").update(x.raw).digest("hex");
      const item = { part, pem, sha256, subject: x.subject.replace(/\n/g, ", ") };
      if (done.has(sha256)) result.skipped.push({ part, sha256, subject: item.subject });
      else todo.push(item);
    }
  }
  if (todo.length === 0) return result;
  const deviceKey = await openBoardDeviceKey(o.board, { stateDir: dirname(storeDir) });
  const store = await CertStore.open(storeDir, { create: true, deviceKey, ...(o.now ? { now: o.now } : {}) });
  try {
    for (const t of todo) {
      try {
        const r = await store.trustAdd(Buffer.from(t.pem), `image ${t.part}`);
        (r.added.length ? result.installed : result.alreadyTrusted).push({ part: t.part, sha256: t.sha256, subject: t.subject });
        record.installed.push({ sha256: t.sha256, subject: t.subject, part: t.part, imageVersion: manifest.imageVersion, at: new Date().toISOString() });
        done.add(t.sha256);
      } catch (e) {
        result.failed.push({ part: t.part, sha256: t.sha256, code: (e as { code?: string }).code ?? "ERR_CERT", message: (e as Error).message });
      }
    }
  } finally {
    store.close();
  }
  atomicWriteFile(recordPath, JSON.stringify(record, null, 2) + "\n", 0o600);
  return result;
}
