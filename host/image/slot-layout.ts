// Where the host finds its files. In a development tree or the npm package, next to the compiled
// modules (boards/, docs/schemas/, build/). In a firmware image, the host is one bundled script,
// DEVICE/slot-X/gwsdk.mjs, and everything it needs is a part of the image in the same slot:
//
//   slot-X/board.json                      the image's board (resolved: no extends)
//   slot-X/schemas/board.schema.json       the board schema
//   slot-X/schemas/gateway-config.schema.json
//   slot-X/core.wasm, core-scalar.wasm     the cores (GWSDK_CORE_DIR may point elsewhere)
//   slot-X/trust/*.pem                     default trust anchors (installed into the store at boot)
//
// and its persistent state lives in the device's data partition, DEVICE/data/ (GWSDK_DEVICE_DIR,
// set by `gwsdk image boot|run`; else the slot's parent directory).
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Replaced by `true` when `gwsdk image build` bundles the host (esbuild `define`); undeclared otherwise. */
declare const __GWSDK_IMAGE__: boolean | undefined;

/** True when this host is the bundled gwsdk.mjs of a firmware image. */
export function runningFromImage(): boolean {
  return typeof __GWSDK_IMAGE__ !== "undefined" && __GWSDK_IMAGE__ === true;
}

/** The slot directory (the bundle's own directory) when running from an image; else undefined. */
export function imageSlotDir(): string | undefined {
  return runningFromImage() ? dirname(fileURLToPath(import.meta.url)) : undefined;
}

/** The device directory (A/B slots, boot.json, data/) when running from an image; else undefined. */
export function imageDeviceDir(): string | undefined {
  const slot = imageSlotDir();
  if (!slot) return undefined;
  const env = process.env.GWSDK_DEVICE_DIR;
  if (env) return env;
  return /^slot-[ab]$/.test(basename(slot)) ? dirname(slot) : undefined;
}

/** The device's data partition (certificate store, device key) when running from an image. */
export function imageDataDir(): string | undefined {
  const d = imageDeviceDir();
  return d ? join(d, "data") : undefined;
}

/**
 * The state directory relative board paths (storage.path, deviceKey.path) resolve against:
 * DEVICE/data on a device, `.gwsdk/<board>` on a workstation.
 */
export function defaultStateDir(boardId: string): string {
  return imageDataDir() ?? `.gwsdk/${boardId}`;
}

/** A file the image carries as a part (slot-relative name), when running from an image. */
export function imagePartPath(name: string): string | undefined {
  const slot = imageSlotDir();
  return slot ? join(slot, name) : undefined;
}
