// gwsdk image build|verify|flash|boot — signed firmware images and A/B slot installation.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { verifyImage } from "../image/verify.js";
import { loadVerifyKey } from "../image/sign.js";
import { flashImage, bootDevice, readBootRecord } from "../image/flash.js";
import { ImageError } from "../image/format.js";

const USAGE = `usage:
  gwsdk image build --board NAME --sign KEY --out FILE [--image-version N] [--trust CA.pem]... [--json]
  gwsdk image verify --pubkey KEY FILE [--json]
  gwsdk image flash FILE --device DIR [--pubkey KEY] [--allow-downgrade] [--json]
  gwsdk image boot --device DIR [--json]
  gwsdk image status --device DIR [--json]
`;

function out(json: boolean, obj: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(obj, null, 2) + "\n" : text.endsWith("\n") ? text : text + "\n");
}

function readImageFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ImageError("ERR_IMAGE_READ", `cannot read image ${path}: ${(e as Error).message}`);
  }
}

export async function imageCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
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
        ...manifest.parts.map((p) => `  ${p.name.padEnd(22)} ${String(p.size).padStart(9)}  sha256 ${p.sha256}`),
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
        ? `flashed slot ${r.slot}, booted: self-test passed; slot ${r.slot} is active (image version ${r.imageVersion})`
        : `flashed slot ${r.slot}, but its boot self-test FAILED; ${r.rolledBack ? `rolled back to slot ${r.active}` : "no good slot to roll back to"}\n${r.bootLog ?? ""}`);
      return r.booted ? 0 : 1;
    }
    case "boot": {
      if (!v.device) break;
      const r = bootDevice(v.device);
      out(json, { ok: r.booted, ...r }, r.booted ? `slot ${r.slot} booted (self-test passed)` : `slot ${r.slot} failed its self-test; ${r.rolledBack ? `rolled back to slot ${r.active}` : "no good slot left"}`);
      return r.booted ? 0 : 1;
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
