// gwsdk image build|verify|flash|boot|status|run|install-trust — signed firmware images, A/B slot
// installation, and running the active slot's host (docs/images.md).
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyImage } from "../image/verify.js";
import { loadVerifyKey } from "../image/sign.js";
import { flashImage, bootDevice, readBootRecord, type FlashResult } from "../image/flash.js";
import { ImageError } from "../image/format.js";

const USAGE = `usage:
  gwsdk image build --board NAME --sign KEY --out FILE [--image-version N] [--trust CA.pem]... [--json]
  gwsdk image verify --pubkey KEY FILE [--json]
  gwsdk image flash FILE --device DIR [--pubkey KEY] [--allow-downgrade] [--json]
  gwsdk image boot --device DIR [--json]
  gwsdk image status --device DIR [--json]
  gwsdk image run --device DIR -- <gwsdk command and options>
      runs the active slot's own host (e.g. "-- gateway --config /etc/gwsdk/gateway.json",
      "-- cert list") with the device's data partition as its state: what a device's init system starts
  gwsdk image install-trust --device DIR [--json]
      installs the active slot's trust/*.pem anchors into the device's store (boot does this once)
`;

function out(json: boolean, obj: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(obj, null, 2) + "\n" : text.endsWith("\n") ? text : text + "\n");
}

function trustText(r: FlashResult): string {
  if (r.trustError) return `\nwarning: the image's trust anchors could not be installed (retried at the next boot): ${r.trustError}`;
  if (!r.trust) return "";
  const t = r.trust;
  return `\ntrust anchors: ${t.installed} installed, ${t.alreadyTrusted} already trusted, ${t.skipped} from an earlier boot` + t.failed.map((f) => `\nwarning: ${f.part}: ${f.code}: ${f.message}`).join("");
}

function readImageFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ImageError("ERR_IMAGE_READ", `cannot read image ${path}: ${(e as Error).message}`);
  }
}

export async function imageCommand(argv: string[]): Promise<number> {
  const [sub, ...all] = argv;
  // `run` passes everything after "--" to the slot's host untouched.
  const dashes = all.indexOf("--");
  const rest = sub === "run" && dashes >= 0 ? all.slice(0, dashes) : all;
  const passThrough = sub === "run" && dashes >= 0 ? all.slice(dashes + 1) : [];
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        board: { type: "string" },
        sign: { type: "string" },
        out: { type: "string" },
        "image-version": { type: "string" },
        trust: { type: "string", multiple: true },
        pubkey: { type: "string" },
        device: { type: "string" },
        "allow-downgrade": { type: "boolean" },
        json: { type: "boolean" },
      },
    });
  } catch (e) {
    process.stderr.write(`gwsdk image: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const json = v.json === true;
  switch (sub) {
    case "build": {
      if (!v.board || !v.sign || !v.out) break;
      let imageVersion: number | undefined;
      if (v["image-version"] !== undefined) {
        imageVersion = Number(v["image-version"]);
        if (!Number.isSafeInteger(imageVersion) || imageVersion < 0) {
          process.stderr.write("gwsdk image: --image-version must be a non-negative integer\n");
          return 2;
        }
      }
      // Loaded on demand: building needs esbuild, which a device image does not carry.
      const { buildImage } = await import("../image/build.js");
      const { manifest, bytes } = await buildImage({ board: v.board, signKey: v.sign, out: v.out, ...(imageVersion !== undefined ? { imageVersion } : {}), ...(v.trust ? { trust: v.trust } : {}) });
      out(json, { ok: true, file: v.out, size: bytes.length, manifest }, [
        `image ${v.out}: ${bytes.length} bytes, board ${manifest.boardId}, image version ${manifest.imageVersion}, SDK ${manifest.sdkVersion}`,
        `signed ${manifest.signature.algorithm} by key ${manifest.signature.keyId.slice(0, 16)}…`,
        ...manifest.parts.map((p) => `  ${p.name.padEnd(36)} ${String(p.size).padStart(9)}  sha256 ${p.sha256}`),
      ].join("\n"));
      return 0;
    }
    case "verify": {
      const file = parsed.positionals[0];
      if (!v.pubkey || !file) break;
      const img = verifyImage(readImageFile(file), loadVerifyKey(v.pubkey));
      out(json, { ok: true, file, manifest: img.manifest }, `${file}: signature and all ${img.manifest.parts.length} part digests verify (board ${img.manifest.boardId}, image version ${img.manifest.imageVersion})`);
      return 0;
    }
    case "flash": {
      const file = parsed.positionals[0];
      if (!v.device || !file) break;
      const r = flashImage({ image: readImageFile(file), device: v.device, ...(v.pubkey ? { pubkey: loadVerifyKey(v.pubkey) } : {}), allowDowngrade: v["allow-downgrade"] === true });
      out(json, { ok: r.booted, ...r }, r.booted
        ? `flashed slot ${r.slot}, booted: self-test passed; slot ${r.slot} is active (image version ${r.imageVersion})${trustText(r)}`
        : `flashed slot ${r.slot}, but its boot self-test FAILED; ${r.rolledBack ? `rolled back to slot ${r.active}` : "no good slot to roll back to"}\n${r.bootLog ?? ""}`);
      return r.booted ? 0 : 1;
    }
    case "boot": {
      if (!v.device) break;
      const r = bootDevice(v.device);
      out(json, { ok: r.booted, ...r }, r.booted ? `slot ${r.slot} booted (self-test passed)${trustText(r)}` : `slot ${r.slot} failed its self-test; ${r.rolledBack ? `rolled back to slot ${r.active}` : "no good slot left"}`);
      return r.booted ? 0 : 1;
    }
    case "run": {
      if (!v.device || dashes < 0 || parsed.positionals.length > 0) break;
      const { runSlot } = await import("../image/run.js");
      return runSlot(v.device, passThrough);
    }
    case "install-trust": {
      if (!v.device) break;
      const [{ installImageTrust }, { loadResolvedBoard }, { imageSlotDir }] = await Promise.all([import("../image/trust.js"), import("../boards/board.js"), import("../image/slot-layout.js")]);
      // From a slot's own host: its slot; from a workstation: the device's active slot.
      let slotDir = imageSlotDir();
      if (!slotDir) {
        const active = readBootRecord(v.device).active;
        if (!active) throw new ImageError("ERR_IMAGE_DEVICE", "the device has no active slot; flash an image first");
        slotDir = join(v.device, `slot-${active}`);
      }
      const board = loadResolvedBoard(join(slotDir, "board.json"), join(slotDir, "schemas"));
      const r = await installImageTrust({ slotDir, dataDir: join(v.device, "data"), board });
      out(json, r, [
        `store ${r.store}: ${r.installed.length} trust anchor(s) installed, ${r.alreadyTrusted.length} already trusted, ${r.skipped.length} installed by an earlier boot (left as they are)`,
        ...r.installed.map((a) => `  installed ${a.subject} (${a.part}) sha256 ${a.sha256}`),
        ...r.failed.map((f) => `  FAILED ${f.part}: ${f.code}: ${f.message}`),
      ].join("\n"));
      return r.failed.length ? 1 : 0;
    }
    case "status": {
      if (!v.device) break;
      const b = readBootRecord(v.device);
      out(json, b, `active slot: ${b.active ?? "none"}; anti-rollback floor ${b.minImageVersion}\n` + Object.entries(b.slots).map(([k, s]) => `  slot ${k}: ${s!.state}, image version ${s!.imageVersion}, board ${s!.boardId}`).join("\n"));
      return 0;
    }
  }
  process.stderr.write(USAGE);
  return 2;
}
