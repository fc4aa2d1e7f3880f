// `gwsdk image run --device DIR -- <gwsdk args>`: what a device's init system starts. Runs the
// active slot's own bundled host (DEVICE/slot-X/gwsdk.mjs) with its environment:
//
//   GWSDK_CORE_DIR   the slot (its cores)
//   GWSDK_DEVICE_DIR the device: the host keeps its state in DEVICE/data (slot-layout.ts)
//   GWSDK_STORE      the device's certificate store (the board's storage.path in DEVICE/data), so
//                    `cert`, `tls` and `console` commands work on it without --store
//
// Only a slot that booted ("good": its self-test passed) runs; signals are passed on to the host
// and its exit status is returned.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { constants } from "node:os";
import { loadResolvedBoard, type Board } from "../boards/board.js";
import { checkSlot, readBootRecord, slotEnv, type SlotName } from "./flash.js";
import { ImageError } from "./format.js";
import { deviceStorePath } from "./trust.js";

export interface SlotRun {
  slot: SlotName;
  slotDir: string;
  board: Board;
  store: string;
  env: NodeJS.ProcessEnv;
}

/** Checks the device's active slot and returns how to run its host. */
export function prepareSlotRun(device: string): SlotRun {
  const boot = readBootRecord(device);
  const slot = boot.active;
  if (!slot) throw new ImageError("ERR_IMAGE_DEVICE", `the device ${device} has no active slot; flash an image first`);
  const state = boot.slots[slot]?.state;
  if (state !== "good") {
    throw new ImageError("ERR_IMAGE_DEVICE", `slot ${slot} has not passed its boot self-test (state ${state ?? "unknown"}); run "gwsdk image boot --device ${device}" first`);
  }
  checkSlot(device, slot);
  const slotDir = join(device, `slot-${slot}`);
  const board = loadResolvedBoard(join(slotDir, "board.json"), join(slotDir, "schemas"));
  const store = deviceStorePath(board, join(device, "data"));
  return { slot, slotDir, board, store, env: { ...slotEnv(device, slot), GWSDK_STORE: store } };
}

/** Runs the active slot's host with args until it exits; resolves with its exit status (128 + signal number after a signal). */
export function runSlot(device: string, args: string[]): Promise<number> {
  const r = prepareSlotRun(device);
  const child = spawn(process.execPath, [join(r.slotDir, "gwsdk.mjs"), ...args], { env: r.env, stdio: "inherit" });
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(sig);
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  const onHup = forward("SIGHUP");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  process.on("SIGHUP", onHup);
  return new Promise((resolve, reject) => {
    child.once("error", (e) => reject(new ImageError("ERR_IMAGE_RUN", `cannot start ${r.slotDir}/gwsdk.mjs: ${e.message}`, { cause: e })));
    child.once("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      process.off("SIGHUP", onHup);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
