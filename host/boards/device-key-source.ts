// The board's device key (board.deviceKey), as the gateway and the image's boot use it to open the
// certificate store. Relative paths resolve against the state directory: the directory holding the
// store (DEVICE/data on a device, .gwsdk/<board> on a workstation).
//
//   file           a 32-byte key file, 0600 (sim board): FileDeviceKey at deviceKey.path (default device.key)
//   derived        HKDF-SHA256 from a per-device secret the board's firmware exposes as a root-only file
//                  at deviceKey.path, standing for the SoC's hardware unique key; salt file
//                  device-key.salt in the state directory (DerivedDeviceKey, docs/boards.md)
//   secureElement  the key stays in a chip the SDK cannot talk to by itself: the vendor supplies an ES
//                  module (deviceKey.module) exporting createDeviceKey(context) → DeviceKey
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Board } from "./board.js";
import { BoardError } from "./board.js";
import { DerivedDeviceKey, FileDeviceKey, type DeviceKey } from "../certs/device-key.js";

/** What a secure-element module's createDeviceKey receives. */
export interface DeviceKeyModuleContext {
  board: Board;
  /** The state directory (where the store lives), for modules that keep a handle or a wrapped key there. */
  stateDir: string;
}

/** The export a `deviceKey.module` provides. */
export type CreateDeviceKey = (ctx: DeviceKeyModuleContext) => DeviceKey | Promise<DeviceKey>;

export const DERIVED_SALT_FILE = "device-key.salt";

function under(stateDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(join(stateDir, p));
}

function isDeviceKey(k: unknown): k is DeviceKey {
  const o = k as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && typeof o.load === "function" && typeof o.exists === "function" && typeof o.create === "function" && typeof o.location === "string";
}

/** A DeviceKey without rotate(), for boards whose key cannot rotate (deviceKey.rotatable: false). */
function withoutRotate(k: DeviceKey): DeviceKey {
  return { get location() { return k.location; }, load: () => k.load(), exists: () => k.exists(), create: () => k.create() };
}

/**
 * Opens the board's device key. Throws BoardError ERR_BOARD_DEVICE_KEY when the board's source
 * cannot be provided (a secure element without its vendor module, a module that does not export
 * createDeviceKey, a derived key without a secret path).
 */
export async function openBoardDeviceKey(board: Board, o: { stateDir: string }): Promise<DeviceKey> {
  const dk = board.deviceKey;
  const rotatable = dk.rotatable !== false;
  switch (dk.source) {
    case "file": {
      const k = new FileDeviceKey(under(o.stateDir, dk.path ?? "device.key"));
      return rotatable ? k : withoutRotate(k);
    }
    case "derived": {
      if (!dk.path) {
        throw new BoardError("ERR_BOARD_DEVICE_KEY", `board "${board.id}": deviceKey.source "derived" needs deviceKey.path, the file holding the per-device hardware secret`, { field: "/deviceKey/path" });
      }
      return new DerivedDeviceKey({ secretPath: under(o.stateDir, dk.path), boardId: board.id, saltPath: under(o.stateDir, DERIVED_SALT_FILE), rotatable });
    }
    case "secureElement": {
      if (!dk.module) {
        throw new BoardError(
          "ERR_BOARD_DEVICE_KEY",
          `board "${board.id}" keeps its device key in a secure element, which gwsdk cannot reach by itself: add "deviceKey": { "module": "/path/to/se-key.mjs" } to the board, an ES module exporting createDeviceKey({ board, stateDir }) that returns a DeviceKey (load/exists/create[/rotate], docs/boards.md), or pass a DeviceKey to the API (Gateway.start({ deviceKey }), CertStore.open(dir, { deviceKey }))`,
          { field: "/deviceKey/module" },
        );
      }
      const path = under(o.stateDir, dk.module);
      let mod: { createDeviceKey?: unknown };
      try {
        mod = (await import(pathToFileURL(path).href)) as { createDeviceKey?: unknown };
      } catch (e) {
        throw new BoardError("ERR_BOARD_DEVICE_KEY", `board "${board.id}": cannot load the secure-element module ${path}: ${(e as Error).message}`, { field: "/deviceKey/module", file: path });
      }
      if (typeof mod.createDeviceKey !== "function") {
        throw new BoardError("ERR_BOARD_DEVICE_KEY", `board "${board.id}": the secure-element module ${path} does not export a function createDeviceKey({ board, stateDir })`, { field: "/deviceKey/module", file: path });
      }
      const k: unknown = await (mod.createDeviceKey as CreateDeviceKey)({ board, stateDir: o.stateDir });
      if (!isDeviceKey(k)) {
        throw new BoardError("ERR_BOARD_DEVICE_KEY", `board "${board.id}": createDeviceKey() of ${path} did not return a DeviceKey (location, load, exists, create)`, { field: "/deviceKey/module", file: path });
      }
      return rotatable ? k : withoutRotate(k);
    }
    default:
      throw new BoardError("ERR_BOARD_DEVICE_KEY", `board "${board.id}": unknown deviceKey.source ${JSON.stringify((dk as { source: unknown }).source)}`, { field: "/deviceKey/source" });
  }
}
