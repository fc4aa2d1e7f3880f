// image flash: install a verified image into a (simulated) device with A/B slots.
//
//   DEVICE/boot.json        which slot boots, each slot's state, the anti-rollback floor
//   DEVICE/slot-a/, slot-b/ the extracted parts of one image each (plus manifest.json)
//   DEVICE/keys/image-signing.pub   the key images must be signed with (provisioned on first flash)
//   DEVICE/data/            persistent data (certificate store, device key): never touched by updates
//
// Flash writes the inactive slot (into a temporary directory, fsynced, then renamed), re-verifies
// what was written, switches boot.json atomically with the new slot "pending", then boots it: the
// slot's own host runs its power-on self-test. Success marks the slot "good", raises the
// anti-rollback floor and installs the image's trust anchors into the device's store (once: see
// trust.ts); failure switches back to the previous slot and marks the new one "bad".
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import type { KeyObject } from "node:crypto";
import { createPublicKey } from "node:crypto";
import { atomicWriteFile, fsyncDir } from "../util/atomic-file.js";
import { ImageError, sha256Hex, type ImageManifest } from "./format.js";
import { keyId } from "./sign.js";
import { verifyImage } from "./verify.js";

export type SlotName = "a" | "b";
export type SlotState = "good" | "pending" | "bad";

export interface SlotInfo {
  imageVersion: number;
  sdkVersion: string;
  boardId: string;
  manifestSha256: string;
  state: SlotState;
  installedAt: string;
}

export interface BootRecord {
  format: 1;
  active: SlotName | null;
  previous: SlotName | null;
  /** Anti-rollback floor: the highest imageVersion that booted successfully. */
  minImageVersion: number;
  slots: Partial<Record<SlotName, SlotInfo>>;
}

export interface FlashResult {
  slot: SlotName;
  booted: boolean;
  rolledBack: boolean;
  active: SlotName | null;
  imageVersion: number;
  bootLog?: string;
  /** After a successful boot: the image's trust anchors installed into the device's store (trust.ts), or why not. */
  trust?: { installed: number; alreadyTrusted: number; skipped: number; failed: { part: string; code: string; message: string }[] };
  trustError?: string;
}

const EMPTY_BOOT: BootRecord = { format: 1, active: null, previous: null, minImageVersion: 0, slots: {} };

export function readBootRecord(device: string): BootRecord {
  const p = join(device, "boot.json");
  if (!existsSync(p)) return structuredClone(EMPTY_BOOT);
  try {
    const r = JSON.parse(readFileSync(p, "utf8")) as BootRecord;
    if (r.format !== 1 || typeof r.minImageVersion !== "number" || typeof r.slots !== "object") throw new Error("shape");
    return r;
  } catch {
    throw new ImageError("ERR_IMAGE_DEVICE", `${p} is damaged; the device's boot record cannot be read`);
  }
}

/** A file-system failure (a full disk, a read-only medium) as a typed error naming what was being written. */
function ioError(what: string, e: unknown): ImageError {
  const code = (e as NodeJS.ErrnoException).code;
  return new ImageError("ERR_IMAGE_IO", `${what}: ${code === "ENOSPC" ? "no space left on the device" : (e as Error).message}`, { cause: e });
}

function writeBootRecord(device: string, r: BootRecord): void {
  try {
    atomicWriteFile(join(device, "boot.json"), JSON.stringify(r, null, 2) + "\n");
  } catch (e) {
    throw ioError(`cannot write ${join(device, "boot.json")} (the previous boot record is kept)`, e);
  }
}

function deviceKey(device: string, given?: KeyObject): KeyObject {
  const p = join(device, "keys", "image-signing.pub");
  if (existsSync(p)) {
    const k = createPublicKey(readFileSync(p, "utf8"));
    if (given && keyId(given) !== keyId(k)) {
      throw new ImageError("ERR_IMAGE_SIGNATURE", "the key given is not the device's provisioned image-signing key; refusing to change it during an update");
    }
    return k;
  }
  if (!given) throw new ImageError("ERR_IMAGE_KEY", `the device has no provisioned image-signing key (${p}); pass --pubkey on the first flash`);
  atomicWriteFile(p, given.export({ type: "spki", format: "pem" }) as string);
  return given;
}

function writeFileSynced(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  const fd = openSync(path, "r");
  fsyncSync(fd);
  closeSync(fd);
}

/** Re-hashes what was written to a slot against the manifest. */
export function checkSlot(device: string, slot: SlotName): ImageManifest {
  const dir = join(device, `slot-${slot}`);
  let manifest: ImageManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as ImageManifest;
  } catch {
    throw new ImageError("ERR_IMAGE_SLOT", `slot ${slot} has no readable manifest`);
  }
  for (const p of manifest.parts) {
    const f = join(dir, p.name);
    if (!existsSync(f) || sha256Hex(readFileSync(f)) !== p.sha256) throw new ImageError("ERR_IMAGE_SLOT", `slot ${slot}: ${p.name} does not match the image`);
  }
  return manifest;
}

/** The environment a slot's host runs in: its cores and its device (data partition: DEVICE/data). */
export function slotEnv(device: string, slot: SlotName): NodeJS.ProcessEnv {
  return { ...process.env, GWSDK_CORE_DIR: join(device, `slot-${slot}`), GWSDK_DEVICE_DIR: device };
}

/** Runs a slot's boot self-test: its own bundled host loads its own core and runs the self-test. */
export function bootSelfTest(device: string, slot: SlotName): { ok: boolean; log: string } {
  const dir = join(device, `slot-${slot}`);
  const r = spawnSync(process.execPath, [join(dir, "gwsdk.mjs"), "selftest"], {
    env: slotEnv(device, slot),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ok: r.status === 0, log: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/**
 * Installs a booted slot's trust/*.pem anchors into the device's store, run by the slot's own host
 * (`gwsdk image install-trust`), so the store is written by the code that will read it.
 */
export function bootInstallTrust(device: string, slot: SlotName): Pick<FlashResult, "trust" | "trustError"> {
  const dir = join(device, `slot-${slot}`);
  let manifest: ImageManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as ImageManifest;
  } catch {
    return { trustError: `slot ${slot} has no readable manifest` };
  }
  if (!manifest.parts.some((p) => p.name.startsWith("trust/"))) return {};
  const r = spawnSync(process.execPath, [join(dir, "gwsdk.mjs"), "image", "install-trust", "--device", device, "--json"], {
    env: slotEnv(device, slot),
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) return { trustError: `${r.stderr ?? ""}${r.stdout ?? ""}`.trim() || `exit ${String(r.status ?? r.signal)}` };
  try {
    const j = JSON.parse(r.stdout) as { installed: unknown[]; alreadyTrusted: unknown[]; skipped: unknown[]; failed: { part: string; code: string; message: string }[] };
    return { trust: { installed: j.installed.length, alreadyTrusted: j.alreadyTrusted.length, skipped: j.skipped.length, failed: j.failed } };
  } catch {
    return { trustError: `unexpected output of install-trust: ${r.stdout.slice(0, 200)}` };
  }
}

export interface FlashParams {
  image: Uint8Array;
  device: string;
  pubkey?: KeyObject;
  allowDowngrade?: boolean;
}

export function flashImage(p: FlashParams): FlashResult {
  mkdirSync(p.device, { recursive: true });
  mkdirSync(join(p.device, "data"), { recursive: true });
  const key = deviceKey(p.device, p.pubkey);
  const img = verifyImage(p.image, key);
  const m = img.manifest;
  const boot = readBootRecord(p.device);
  if (m.imageVersion < boot.minImageVersion && !p.allowDowngrade) {
    throw new ImageError("ERR_IMAGE_ROLLBACK", `image version ${m.imageVersion} is older than the device's anti-rollback floor ${boot.minImageVersion}; refusing (pass --allow-downgrade to override)`);
  }
  const active = boot.active;
  const target: SlotName = active === "a" ? "b" : "a";
  const slotDir = join(p.device, `slot-${target}`);
  const tmpDir = join(p.device, `.slot-${target}.tmp`);
  rmSync(tmpDir, { recursive: true, force: true });
  try {
    for (const [name, bytes] of img.parts) writeFileSynced(join(tmpDir, name), bytes);
    writeFileSynced(join(tmpDir, "manifest.json"), Buffer.from(img.manifestBytes));
    fsyncDir(tmpDir);
  } catch (e) {
    rmSync(tmpDir, { recursive: true, force: true }); // give the space back; the active slot was not touched
    throw ioError(`cannot write the image into slot ${target}`, e);
  }
  // The inactive slot is replaced: first moved aside, then the new one renamed into place.
  const oldDir = join(p.device, `.slot-${target}.old`);
  rmSync(oldDir, { recursive: true, force: true });
  if (existsSync(slotDir)) renameSync(slotDir, oldDir);
  renameSync(tmpDir, slotDir);
  fsyncDir(p.device);
  rmSync(oldDir, { recursive: true, force: true });
  checkSlot(p.device, target);

  boot.slots[target] = {
    imageVersion: m.imageVersion,
    sdkVersion: m.sdkVersion,
    boardId: m.boardId,
    manifestSha256: sha256Hex(img.manifestBytes),
    state: "pending",
    installedAt: new Date().toISOString(),
  };
  boot.previous = active;
  boot.active = target;
  writeBootRecord(p.device, boot);
  return bootDevice(p.device, target, m.imageVersion);
}

/**
 * Boots the active slot: runs its self-test; on failure rolls back to the previous slot. Called by
 * flash right after the switch, and by `gwsdk image boot` (a device's power-on).
 */
export function bootDevice(device: string, expectSlot?: SlotName, imageVersion?: number): FlashResult {
  const boot = readBootRecord(device);
  const slot = boot.active;
  if (!slot) throw new ImageError("ERR_IMAGE_DEVICE", "the device has no active slot; flash an image first");
  if (expectSlot && slot !== expectSlot) throw new ImageError("ERR_IMAGE_DEVICE", "boot record changed under us");
  let ok = false;
  let log = "";
  try {
    checkSlot(device, slot);
    const t = bootSelfTest(device, slot);
    ok = t.ok;
    log = t.log;
  } catch (e) {
    log = (e as Error).message;
  }
  const info = boot.slots[slot]!;
  if (ok) {
    info.state = "good";
    boot.minImageVersion = Math.max(boot.minImageVersion, info.imageVersion);
    writeBootRecord(device, boot);
    // The boot counts once the self-test passed; trust anchors that cannot be installed now are retried on the next boot.
    const trust = bootInstallTrust(device, slot);
    return { slot, booted: true, rolledBack: false, active: slot, imageVersion: imageVersion ?? info.imageVersion, bootLog: log, ...trust };
  }
  info.state = "bad";
  const prev = boot.previous;
  if (prev && boot.slots[prev] && boot.slots[prev]!.state === "good") {
    boot.active = prev;
    boot.previous = slot;
  } else {
    boot.active = null;
  }
  writeBootRecord(device, boot);
  return { slot, booted: false, rolledBack: boot.active !== null, active: boot.active, imageVersion: imageVersion ?? info.imageVersion, bootLog: log };
}

/** Lists what is in the device's data partition (for tests that check it survives updates). */
export function dataFiles(device: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out.push(`${rel}${n}`);
    }
  };
  walk(join(device, "data"), "");
  return out;
}
