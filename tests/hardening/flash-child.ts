// Child process of power-cut.test.ts: flashes images into a device in a loop until it is killed
// (SIGKILL of its whole process group, so the boot self-test it spawns dies with it: a power cut).
// argv: deviceDir image...
import { readFileSync } from "node:fs";
import { flashImage } from "../../host/image/flash.js";

const [device, ...paths] = process.argv.slice(2) as [string, ...string[]];
const images = paths.map((p) => new Uint8Array(readFileSync(p)));
process.stdout.write("ready\n");
for (let i = 0; ; i++) {
  const r = flashImage({ image: images[i % images.length]!, device, allowDowngrade: true });
  process.stdout.write(`flashed ${i} slot=${r.slot} booted=${r.booted}\n`);
}
